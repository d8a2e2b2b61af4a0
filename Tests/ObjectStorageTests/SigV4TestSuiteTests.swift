import Foundation
import Testing
@testable import ObjectStorage

/// AWS's published SigV4 test suite (Fixtures/sigv4, see SOURCES.md): every case's canonical request, string to
/// sign and signature must come out exactly as AWS's.
@Suite struct SigV4TestSuiteTests {
    static let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/sigv4")
    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
        .filter { !$0.hasSuffix(".md") && !$0.hasSuffix(".json") }.sorted()

    @Test func theSuiteIsThere() {
        #expect(Self.cases.count >= 30)
        #expect(Self.cases.contains("get-vanilla"))
        #expect(Self.cases.contains("post-x-www-form-urlencoded"))
    }

    @Test(arguments: cases) func signsLikeAWS(_ name: String) throws {
        let directory = Self.root.appendingPathComponent(name)
        func text(_ file: String) throws -> String {
            try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        }
        let context = try JSONDecoder().decode(Context.self, from: Data(try text("context.json").utf8))
        let request = try VectorRequest(parsing: try text("request.txt"))
        let credentials = SigV4Credentials(
            accessKeyID: context.credentials.access_key_id, secretAccessKey: context.credentials.secret_access_key,
            // post-sts-header-after adds the token after signing: it is not part of the signature.
            sessionToken: context.omit_session_token == true ? nil : context.credentials.token
        )
        let signer = SigV4Signer(
            credentials: credentials, region: context.region, service: context.service,
            normalizesPath: context.normalize, sendsContentSHA256Header: context.sign_body
        )
        let date = try #require(ISO8601DateFormatter().date(from: context.timestamp))
        let signature = signer.sign(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            payload: .of(Array(request.body.utf8)), date: date
        )
        #expect(signature.canonicalRequest == (try text("header-canonical-request.txt")))
        #expect(signature.stringToSign == (try text("header-string-to-sign.txt")))
        #expect(signature.signature == (try text("header-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines))
        let authorization = try #require(signature.headers.first { $0.name == "Authorization" }?.value)
        #expect(authorization.hasSuffix("Signature=\(signature.signature)"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="))
    }

    /// S3's worked examples: `x-amz-content-sha256` signed, a `Range` header, a `$` in a key, a flag parameter.
    @Test func signsS3sDocumentedExamples() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("s3-examples.json"))
        let file = try JSONDecoder().decode(S3Examples.self, from: data)
        let signer = SigV4Signer(
            credentials: .init(accessKeyID: file.credentials.access_key_id, secretAccessKey: file.credentials.secret_access_key),
            region: file.region
        )
        let date = try #require(ISO8601DateFormatter().date(from: file.timestamp))
        #expect(file.examples.count == 4)
        for example in file.examples {
            let signature = signer.sign(
                method: example.method, path: example.path,
                query: example.query.map { ($0[0], $0[1]) }, headers: example.headers.map { ($0[0], $0[1]) },
                payload: .of(Array(example.body.utf8)), date: date
            )
            #expect(signature.signature == example.signature, "\(example.name)\n\(signature.canonicalRequest)")
            let authorization = signature.headers.first { $0.name == "Authorization" }?.value ?? ""
            #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=\(example.signed_headers), Signature=\(example.signature)")
        }
    }

    struct S3Examples: Decodable {
        struct Example: Decodable {
            var name, method, path, body, signed_headers, signature: String
            var query, headers: [[String]]
        }
        var credentials: Context.Credentials
        var region: String
        var timestamp: String
        var examples: [Example]
    }

    @Test func unsignedPayloadIsSignedAsSuch() {
        let signer = SigV4Signer(credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1")
        let signature = signer.sign(
            method: "PUT", path: "/bucket/a key/ü", query: [], headers: [("Host", "s3.amazonaws.com")],
            payload: .unsigned, date: Date(timeIntervalSince1970: 0)
        )
        #expect(signature.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
        #expect(signature.canonicalRequest.contains("\n/bucket/a%20key/%C3%BC\n"))
        #expect(signature.canonicalRequest.contains("x-amz-content-sha256:UNSIGNED-PAYLOAD\n"))
        #expect(signature.headers.contains { $0.name == "x-amz-content-sha256" && $0.value == "UNSIGNED-PAYLOAD" })
    }

    @Test func sessionTokenIsSentAndSigned() {
        let signer = SigV4Signer(
            credentials: .init(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token+/="), region: "eu-west-1"
        )
        let signature = signer.sign(
            method: "GET", path: "/", query: [("list-type", "2"), ("prefix", "sha256/ab")], headers: [("Host", "h")],
            payload: .empty, date: Date(timeIntervalSince1970: 0)
        )
        #expect(signature.headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == "token+/=" })
        #expect(signature.canonicalRequest.contains("x-amz-security-token:token+/=\n"))
        #expect(signature.canonicalRequest.contains("\nlist-type=2&prefix=sha256%2Fab\n"))
        #expect(signature.stringToSign.contains("19700101/eu-west-1/s3/aws4_request"))
    }

    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var normalize: Bool
        var region: String
        var service: String
        var sign_body: Bool
        var timestamp: String
        var omit_session_token: Bool?
    }
}

/// A request of the test suite: `METHOD PATH[?QUERY] HTTP/1.1`, headers (a line starting with whitespace continues
/// the previous value), an empty line, the body. Path and query come raw or percent-encoded; they are decoded here
/// because the signer takes decoded values and encodes them itself.
struct VectorRequest {
    var method: String
    var path: String
    var query: [(name: String, value: String)] = []
    var headers: [(name: String, value: String)] = []
    var body = ""

    init(parsing text: String) throws {
        let parts = text.components(separatedBy: "\n\n")
        var lines = parts[0].components(separatedBy: "\n")
        body = parts.dropFirst().joined(separator: "\n\n")
        let requestLine = lines.removeFirst()
        let firstSpace = try #require(requestLine.firstIndex(of: " "))
        method = String(requestLine[..<firstSpace])
        let target = requestLine[requestLine.index(after: firstSpace)...].replacingOccurrences(of: " HTTP/1.1", with: "")
        let pieces = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(pieces[0])
        if pieces.count > 1 {
            for item in pieces[1].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0]).removingPercentEncoding ?? String(pair[0])
                let value = pair.count > 1 ? (String(pair[1]).removingPercentEncoding ?? String(pair[1])) : ""
                query.append((name, value))
            }
        }
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else {
                let colon = try #require(line.firstIndex(of: ":"))
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
    }
}
