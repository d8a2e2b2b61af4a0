import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The S3 REST calls BackupFeed needs, signed with SigV4, on async-http-client.
///
/// Keys are given as they are stored (the configuration's prefix is the caller's business); the client encodes them.
/// Every non-2xx answer becomes an `ObjectStorageError.service` with S3's code and message.
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    let signer: SigV4Signer
    let http: HTTPClient
    let logger: Logger
    /// For one request, head and body; a part of 64 MiB on a slow link must fit in it.
    public var timeout: TimeAmount = .minutes(15)
    /// For a streamed GET, whose body is read as fast as its reader takes it (a runbook downloading a large backup).
    public var downloadTimeout: TimeAmount = .hours(12)

    public init(
        configuration: S3Configuration, credentials: SigV4Credentials, httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "backupfeed.s3")
    ) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: credentials, region: configuration.region, service: "s3")
        self.http = httpClient
        self.logger = logger
    }

    /// How often a request that failed for a passing reason (a 500/503 such as `SlowDown`, a dropped connection)
    /// is sent again, waiting 0.2 s, 0.4 s, 0.8 s… in between. Streamed bodies cannot be sent twice: never retried.
    public var retries = 4

    /// Signs and sends one request; returns the response when its status is 2xx, throws S3's error otherwise.
    /// `body` must be replayable (in memory) unless `replayable` is false.
    func send(
        _ method: HTTPMethod, key: String?, query: [(name: String, value: String)] = [],
        headers extra: [(name: String, value: String)] = [], body: HTTPClientRequest.Body? = nil,
        payload: PayloadHash = .empty, timeout: TimeAmount? = nil, replayable: Bool = true
    ) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            do {
                return try await sendOnce(
                    method, key: key, query: query, headers: extra, body: body, payload: payload, timeout: timeout
                )
            } catch where replayable && attempt < retries && Self.isTransient(error) && !Task.isCancelled {
                attempt += 1
                logger.notice(
                    "S3 request failed; trying again",
                    metadata: ["method": "\(method.rawValue)", "key": "\(key ?? "")", "attempt": "\(attempt)", "error": "\(error)"]
                )
                try await Task.sleep(for: .milliseconds(100 << attempt))
            }
        }
    }

    private func sendOnce(
        _ method: HTTPMethod, key: String?, query: [(name: String, value: String)], headers extra: [(name: String, value: String)],
        body: HTTPClientRequest.Body?, payload: PayloadHash, timeout: TimeAmount?
    ) async throws -> HTTPClientResponse {
        let (host, path) = address(key: key)
        let scheme = configuration.endpoint.scheme?.lowercased() ?? "https"
        var headers = extra
        headers.append(("Host", host))
        let signature = signer.sign(
            method: method.rawValue, path: path, query: query, headers: headers, payload: payload, date: Date()
        )
        var request = HTTPClientRequest(url: "\(scheme)://\(host)\(URIEncoding.encode(path, keepSlash: true))\(Self.wireQuery(query))")
        request.method = method
        for (name, value) in headers + signature.headers { request.headers.add(name: name, value: value) }
        if let body { request.body = body }
        let response = try await http.execute(request, timeout: timeout ?? self.timeout, logger: logger)
        guard (200..<300).contains(response.status.code) else {
            throw try await Self.serviceError(response, method: method, resource: key.map { "\(configuration.bucket)/\($0)" })
        }
        return response
    }

    /// A server error S3 asks to retry (500, 502, 503 `SlowDown`, 504, `RequestTimeout`), or a failure of the
    /// connection rather than an answer. A 4xx answer is the request's fault and is never retried.
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case is CancellationError: false
        case let error as ObjectStorageError:
            switch error {
            case .service(let service): [500, 502, 503, 504].contains(service.status) || service.code == "RequestTimeout"
            case .configuration, .unexpectedResponse: false
            }
        case let error as HTTPClientError:
            error != .cancelled && error != .invalidURL && error != .bodyLengthMismatch
        default: true
        }
    }

    /// `host[:port]` and the decoded path for a key (or for the bucket itself when `key` is nil).
    func address(key: String?) -> (host: String, path: String) {
        var host = configuration.endpoint.host ?? "localhost"
        if host.contains(":") { host = "[\(host)]" }
        if let port = configuration.endpoint.port { host += ":\(port)" }
        if configuration.pathStyle {
            return (host, "/\(configuration.bucket)" + (key.map { "/\($0)" } ?? ""))
        }
        return ("\(configuration.bucket).\(host)", "/" + (key ?? ""))
    }

    /// The query as sent: flags such as `uploads` without `=`, as AWS's own SDKs send them.
    static func wireQuery(_ query: [(name: String, value: String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { item in
            let name = URIEncoding.encode(item.name, keepSlash: false)
            return item.value.isEmpty ? name : "\(name)=\(URIEncoding.encode(item.value, keepSlash: false))"
        }.joined(separator: "&")
    }

    /// Reads a small response body (an XML document) whole.
    static func collect(_ response: HTTPClientResponse, limit: Int = 16 << 20) async throws -> [UInt8] {
        var buffer = try await response.body.collect(upTo: limit)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// Parses a document that S3 may replace by an `<Error>` even after a 200 (CompleteMultipartUpload, CopyObject).
    static func document(_ response: HTTPClientResponse, resource: String?) async throws -> S3XMLElement {
        let root = try S3XMLElement.parse(try await collect(response))
        if root.name == "Error" { throw ObjectStorageError.service(serviceError(root, status: 200, resource: resource)) }
        return root
    }

    static func serviceError(_ response: HTTPClientResponse, method: HTTPMethod, resource: String?) async throws -> ObjectStorageError {
        let status = Int(response.status.code)
        let bytes = method == .HEAD ? [] : ((try? await collect(response, limit: 1 << 20)) ?? [])
        if let root = try? S3XMLElement.parse(bytes), root.name == "Error" {
            return .service(serviceError(root, status: status, resource: resource))
        }
        // HEAD answers carry no body: the status is all there is.
        let code = switch status {
        case 404: "NotFound"
        case 403: "Forbidden"
        case 412: "PreconditionFailed"
        default: "HTTP\(status)"
        }
        return .service(S3ServiceError(
            status: status, code: code, message: response.status.reasonPhrase, resource: resource,
            requestID: response.headers.first(name: "x-amz-request-id")
        ))
    }

    static func serviceError(_ root: S3XMLElement, status: Int, resource: String?) -> S3ServiceError {
        S3ServiceError(
            status: status, code: root.value("Code") ?? "Unknown", message: root.value("Message") ?? "",
            resource: resource, requestID: root.value("RequestId")
        )
    }
}
