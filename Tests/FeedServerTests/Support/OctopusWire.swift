import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Requests as real Octopus clients put them on the wire, to replay their sequences against the server.
enum OctopusWire {
    /// The headers every request of a client carries (its key header and user agent).
    struct Client: Sendable {
        let userAgent: String
        let apiKey: String
        var extra: [(String, String)] = []

        var headers: HTTPFields {
            var fields = HTTPFields()
            fields[HTTPField.Name("X-Octopus-ApiKey")!] = apiKey
            fields[.userAgent] = userAgent
            for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
            return fields
        }
    }

    /// A multipart/form-data body with one file part, framed exactly as a given client frames it.
    struct Multipart {
        let contentType: String
        let body: ByteBuffer

        /// .NET's `MultipartFormDataContent` (OctopusClients' `OctopusAsyncClient.DispatchRequest` for a `FileUpload`):
        /// a GUID boundary quoted in the header, unquoted token parameters, and `filename*` next to `filename`.
        static func dotNet(filename: String, bytes: [UInt8]) -> Multipart {
            let boundary = UUID().uuidString.lowercased()
            return make(
                boundary: boundary, headerValue: "multipart/form-data; boundary=\"\(boundary)\"",
                partHeaders: [
                    "Content-Type: application/octet-stream",
                    "Content-Disposition: form-data; name=file; filename=\(filename); filename*=utf-8''\(filename)",
                ], bytes: bytes)
        }

        /// Go's `mime/multipart.Writer.CreateFormFile` (go-octopusdeploy `pkg/packages/multipartstreaming.go`):
        /// a 60-hex-digit boundary, quoted parameters, application/octet-stream.
        static func go(filename: String, bytes: [UInt8]) -> Multipart {
            let boundary = (0..<30).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            return make(
                boundary: boundary, headerValue: "multipart/form-data; boundary=\(boundary)",
                partHeaders: [
                    "Content-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"",
                    "Content-Type: application/octet-stream",
                ], bytes: bytes)
        }

        /// npm `form-data` as api-client.ts uses it (`src/features/packages/packageRepository.ts`: `fd.append("fileToUpload",
        /// data, fileName)`): 26 dashes and 24 digits, the part typed from the file name.
        static func npmFormData(filename: String, bytes: [UInt8]) -> Multipart {
            let boundary = String(repeating: "-", count: 26) + (0..<24).map { _ in String(Int.random(in: 0...9)) }.joined()
            return make(
                boundary: boundary, headerValue: "multipart/form-data; boundary=\(boundary)",
                partHeaders: [
                    "Content-Disposition: form-data; name=\"fileToUpload\"; filename=\"\(filename)\"",
                    "Content-Type: application/zip",
                ], bytes: bytes)
        }

        /// Python `requests` with `files={'fileData': (name, f, 'multipart/form-data', {...})}`
        /// (OctopusDeploy-Api `REST/python/Feeds/push-package.py`): uuid4-hex boundary, the part typed multipart/form-data.
        static func pythonRequests(filename: String, bytes: [UInt8]) -> Multipart {
            let boundary = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            return make(
                boundary: boundary, headerValue: "multipart/form-data; boundary=\(boundary)",
                partHeaders: [
                    "Content-Disposition: form-data; name=\"fileData\"; filename=\"\(filename)\"",
                    "Content-Type: multipart/form-data",
                ], bytes: bytes)
        }

        private static func make(boundary: String, headerValue: String, partHeaders: [String], bytes: [UInt8]) -> Multipart {
            var buffer = ByteBuffer()
            buffer.writeString("--\(boundary)\r\n")
            for header in partHeaders { buffer.writeString(header + "\r\n") }
            buffer.writeString("\r\n")
            buffer.writeBytes(bytes)
            buffer.writeString("\r\n--\(boundary)--\r\n")
            return Multipart(contentType: headerValue, body: buffer)
        }
    }

    /// Expands the RFC 6570 forms Octopus links use (`{/id}`, `{?a,b}`, `{spaceId}`), as the clients' URI template
    /// libraries do: missing variables vanish.
    static func expand(_ template: String, _ values: [String: String]) -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            var expression = rest[rest.index(after: open)..<close]
            let op = expression.first.flatMap { "/?&".contains($0) ? $0 : nil }
            if op != nil { expression = expression.dropFirst() }
            let names = expression.split(separator: ",").map(String.init)
            let present = names.compactMap { name in values[name].map { (name, $0) } }
            switch op {
            case "/": result += present.map { "/" + escape($0.1) }.joined()
            case "?": if !present.isEmpty { result += "?" + present.map { "\($0.0)=\(escape($0.1))" }.joined(separator: "&") }
            case "&": result += present.map { "&\($0.0)=\(escape($0.1))" }.joined()
            default: result += present.map { escape($0.1) }.joined(separator: ",")
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? text
    }
}

extension TestClientProtocol {
    /// One request of a replayed client; `path` may be an absolute link (`/api/...`) as the server handed it out.
    func replay(_ method: HTTPRequest.Method, _ path: String, as client: OctopusWire.Client, body: OctopusWire.Multipart? = nil) async throws -> TestResponse {
        var headers = client.headers
        if let body { headers[.contentType] = body.contentType }
        return try await execute(uri: path, method: method, headers: headers, body: body?.body)
    }
}

extension TestResponse {
    /// A JSON array body (`/api/spaces/all`, `/api/users/{id}/spaces`).
    func jsonArray() throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [[String: Any]] ?? []
    }
}

extension Dictionary where Key == String, Value == Any {
    /// `Links[name]` of an Octopus resource.
    func link(_ name: String) -> String? { (self["Links"] as? [String: Any])?[name] as? String }
    var items: [[String: Any]] { self["Items"] as? [[String: Any]] ?? [] }
}
