import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP client talking to one feed with one key: sends requests, and turns transport failures and error
/// responses into `ClientError`s that say what went wrong in the server's own words.
struct FeedConnection: Sendable {
    let endpoint: FeedEndpoint
    let client: HTTPClient

    /// Largest JSON body read into memory (metadata, reports, error messages); files are always streamed.
    static let maxJSONBytes = 16 * 1024 * 1024

    /// Opens a client for the duration of `body` and shuts it down after, whether `body` succeeds or not.
    static func with<T: Sendable>(_ endpoint: FeedEndpoint, _ body: (FeedConnection) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration()
        // Never follow a redirect: it would carry the API key to wherever the server points.
        configuration.redirectConfiguration = .disallow
        // The upload is sent before any reply, and the reply to a large push waits for the server's fsync.
        configuration.timeout = .init(connect: .seconds(10), read: .minutes(10))
        // One command, one attempt: a refused connection is reported at once instead of retried silently until the
        // connect timeout; cron or the calling script decides whether to try again.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(FeedConnection(endpoint: endpoint, client: client))
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// A request with the key and a user agent; the key goes in Octopus's header, which the feed reads first.
    func request(_ url: String, method: HTTPMethod = .GET) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "X-Octopus-ApiKey", value: endpoint.apiKey)
        request.headers.add(name: "User-Agent", value: "backupfeed-cli")
        return request
    }

    /// Sends `request`; a failure to connect or a connection dropped mid-transfer becomes a `ClientError`.
    /// No overall deadline: a many-GiB transfer takes as long as it takes, and the read timeout catches a stalled server.
    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        do {
            return try await client.execute(request, deadline: .distantFuture)
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(Self.describeTransportFailure(error, url: request.url, server: endpoint.baseURL))
        }
    }

    /// `send` and then require a 2xx status, else throw the server's error message.
    func sendExpectingSuccess(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let response = try await send(request)
        guard (200..<300).contains(response.status.code) else { throw await failure(response, url: request.url) }
        return response
    }

    /// GET a JSON document and decode it.
    func json<T: Decodable>(_ type: T.Type, from url: String) async throws -> T {
        let response = try await sendExpectingSuccess(request(url))
        return try await decode(type, from: response, url: url)
    }

    func decode<T: Decodable>(_ type: T.Type, from response: HTTPClientResponse, url: String) async throws -> T {
        let body = try await collect(response, url: url)
        do {
            return try FeedJSON.decoder.decode(type, from: Data(body.readableBytesView))
        } catch {
            throw ClientError("the server's answer to \(url) is not the JSON this client expects (is --server a BackupFeed server?)")
        }
    }

    /// The body of a response held in memory; only for small JSON documents.
    func collect(_ response: HTTPClientResponse, url: String) async throws -> ByteBuffer {
        do {
            return try await response.body.collect(upTo: Self.maxJSONBytes)
        } catch {
            throw ClientError(Self.describeTransportFailure(error, url: url, server: endpoint.baseURL))
        }
    }

    /// A `ClientError` for a non-2xx response: the status, the server's message, and a hint for the usual causes.
    func failure(_ response: HTTPClientResponse, url: String) async -> ClientError {
        let body = (try? await response.body.collect(upTo: 64 * 1024)).map { Data($0.readableBytesView) } ?? Data()
        let code = Int(response.status.code)
        var text = "HTTP \(code)"
        if let message = ServerMessage.parse(body) ?? Self.plainText(body) {
            text += ": \(message)"
        } else {
            text += " \(response.status.reasonPhrase) from \(url)"
        }
        switch code {
        case 401: text += " (check --api-key or BACKUPFEED_API_KEY)"
        case 403: text += " (push needs a key with push scope, pull one with read scope)"
        case 300..<400:
            let location = response.headers.first(name: "Location") ?? "elsewhere"
            text += " (the server redirects to \(location); pass that address as --server)"
        default: break
        }
        return ClientError(text)
    }

    /// Short non-JSON bodies (a proxy's error page, say) are shown as they are; long ones would only be noise.
    private static func plainText(_ body: Data) -> String? {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 300, !text.contains("<") else { return nil }
        return text
    }

    static func describeTransportFailure(_ error: any Error, url: String, server: String) -> String {
        if let error = error as? HTTPClientError, error == .connectTimeout {
            return "cannot reach the server at \(server): connecting timed out"
        }
        if let error = error as? HTTPClientError, error == .readTimeout {
            return "the server at \(server) stopped answering (no data for 10 minutes) during \(url)"
        }
        let text = String(describing: error)
        let lowered = text.lowercased()
        if lowered.contains("refused") {
            return "cannot reach the server at \(server): connection refused (is it running, and is --server right?)"
        }
        if ["resolve", "getaddrinfo", "lookup", "unknownhost", "dns error"].contains(where: lowered.contains) {
            return "cannot reach the server at \(server): its host name does not resolve (\(text))"
        }
        if lowered.contains("unreachable") {
            return "cannot reach the server at \(server): \(text)"
        }
        return "the request to \(url) failed: \(text)"
    }
}

/// The error text inside an error body: native `{"error","detail"}`, Octopus `{"ErrorMessage","Errors"}`, or `message`.
enum ServerMessage {
    static func parse(_ body: Data) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { return nil }
        let headline = object["error"] as? String ?? object["message"] as? String ?? object["ErrorMessage"] as? String
        let extra = object["detail"] as? String ?? (object["Errors"] as? [String])?.first { $0 != headline }
        switch (headline, extra) {
        case (let headline?, let extra?) where !extra.isEmpty && extra != headline: return "\(headline) (\(extra))"
        case (let headline?, _): return headline
        case (nil, let extra?): return extra
        case (nil, nil): return nil
        }
    }
}

/// The feed writes ISO 8601 dates.
enum FeedJSON {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
