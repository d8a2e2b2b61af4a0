import Logging
import Foundation
import HTTPTypes
import Hummingbird
import PackageFeed

extension HTTPField.Name {
    static let octopusAPIKey = Self("X-Octopus-ApiKey")!
    static let checksumSHA256 = Self("X-Checksum-Sha256")!
    static let packageVersion = Self("X-Package-Version")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}

/// Reads the key from `X-Octopus-ApiKey` or `Authorization: Bearer …` and puts its record in the context.
/// A request without a key goes on anonymous (routes decide); a key that is sent but unknown is a 401 at once,
/// and counts against its address in `throttle` (429 once the address has sent too many).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let keys: APIKeys
    let throttle: FailedKeyThrottle

    init(keys: APIKeys, throttle: FailedKeyThrottle = FailedKeyThrottle(policy: .init())) {
        self.keys = keys
        self.throttle = throttle
    }

    /// The throttle's policy says which proxies' `X-Forwarded-For` is believed.
    private var clients: ClientAddress { ClientAddress(trustedProxies: throttle.policy.trustedProxies) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = Self.presentedKey(request.headers) else {
            return try await next(request, context)
        }
        let client = clients.key(peer: context.clientAddress, forwardedFor: request.headers[.xForwardedFor])
        if let wait = throttle.retryAfter(for: client) {
            throw APIError(
                status: .tooManyRequests, message: "too many wrong API keys from this address; try again in \(wait) s",
                detail: "keys are not checked from an address that sent too many wrong ones, until it has waited",
                headers: [.retryAfter: String(wait)])
        }
        guard let record = try await keys.authenticate(secret) else {
            throttle.recordFailure(from: client)
            // The address, never the key: a mistyped key is often one character off the real one.
            context.logger.info("wrong API key", metadata: ["client": "\(client)"])
            throw APIError(status: .unauthorized, message: "the API key is not valid (revoked or mistyped)")
        }
        var context = context
        context.apiKey = record
        context.logger[metadataKey: "apiKey"] = .string(record.name)
        return try await next(request, context)
    }

    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let key = headers[.octopusAPIKey], !key.isEmpty { return key }
        if let authorization = headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            let key = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
            return key.isEmpty ? nil : key
        }
        return nil
    }
}

extension AppRequestContext {
    /// Throws 401 without a key and 403 with a key whose scope is too small.
    func require(_ scope: KeyScope) throws {
        guard let apiKey else {
            throw APIError(
                status: .unauthorized,
                message: "this needs an API key with \(scope.rawValue) scope",
                detail: "send it as X-Octopus-ApiKey: API-… or Authorization: Bearer API-…"
            )
        }
        guard (KeyScope(rawValue: apiKey.scope) ?? .read).allows(scope) else {
            throw APIError(
                status: .forbidden,
                message: "the API key '\(apiKey.name)' has \(apiKey.scope) scope; this needs \(scope.rawValue)"
            )
        }
    }
}
