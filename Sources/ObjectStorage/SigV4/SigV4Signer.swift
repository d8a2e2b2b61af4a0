import Crypto
import Foundation

/// AWS Signature Version 4 for requests signed in their headers (the `Authorization` header).
///
/// Paths and query parameters are given decoded; the signer encodes them once, as S3 expects (S3 neither
/// double-encodes nor normalizes paths). Every header given is signed.
public struct SigV4Signer: Sendable {
    public var credentials: SigV4Credentials
    public var region: String
    public var service: String
    /// Only for services other than S3: resolve `.`/`..` and collapse `//` before signing.
    public var normalizesPath: Bool
    /// S3 requires `x-amz-content-sha256` on every request; other services don't want it.
    public var sendsContentSHA256Header: Bool

    public init(
        credentials: SigV4Credentials, region: String, service: String = "s3",
        normalizesPath: Bool = false, sendsContentSHA256Header: Bool = true
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath
        self.sendsContentSHA256Header = sendsContentSHA256Header
    }

    /// The headers to add to the request, and the intermediate texts (for tests and debugging).
    public struct Signature: Sendable {
        /// `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` when needed, and `Authorization`.
        public var headers: [(name: String, value: String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
    }

    public func sign(
        method: String, path: String, query: [(name: String, value: String)], headers: [(name: String, value: String)],
        payload: PayloadHash, date: Date
    ) -> Signature {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))
        var added: [(name: String, value: String)] = [("X-Amz-Date", timestamp)]
        if sendsContentSHA256Header { added.append(("x-amz-content-sha256", payload.headerValue)) }
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }

        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers + added)
        let canonicalPath = URIEncoding.encode(normalizesPath ? URIEncoding.normalizedPath(path) : path, keepSlash: true)
        let canonicalRequest = [
            method.uppercased(), canonicalPath, Self.canonicalQuery(query), canonicalHeaders, signedHeaders, payload.headerValue,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", timestamp, scope, SHA256.hash(data: Array(canonicalRequest.utf8)).hexString,
        ].joined(separator: "\n")
        let signature = Self.hmac(signingKey(day: day), stringToSign).hexString
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        added.append(("Authorization", authorization))
        return Signature(headers: added, canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature)
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Self.hmac(key, part))
        }
        return key
    }

    static func hmac(_ key: SymmetricKey, _ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
    }

    /// Lower-case names sorted; values trimmed with inner runs of whitespace collapsed; repeated names joined by commas.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (lines: String, signed: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let collapsed = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
                .joined(separator: " ")
            values[name.lowercased(), default: []].append(collapsed)
        }
        let names = values.keys.sorted()
        let lines = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (lines, names.joined(separator: ";"))
    }

    /// Names and values encoded, sorted by name then value, `name=value` joined by `&` (`name=` for empty values).
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { item in
            (URIEncoding.encode(item.name, keepSlash: false), URIEncoding.encode(item.value, keepSlash: false))
        }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// `20150830T123600Z`, always in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ",
            parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!
        )
    }
}
