import Foundation
import Logging
import Hummingbird
import PackageFeed

/// Reads the API key of a Maven request: HTTP Basic with the key as the password (what Maven, Gradle and Octopus's
/// external Maven feeds send; the user name is ignored), or the headers the rest of the API takes. Like
/// `AuthMiddleware`, a request without credentials goes on anonymous and the route decides; the Maven error style
/// turns its 401 into the `Basic` challenge Maven waits for before it sends credentials.
struct MavenAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let keys: APIKeys

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = Self.basicPassword(request.headers) ?? AuthMiddleware.presentedKey(request.headers) else {
            return try await next(request, context)
        }
        guard let record = try await keys.authenticate(secret) else {
            throw APIError(status: .unauthorized, message: "the API key is not valid (revoked or mistyped); send it as the password")
        }
        var context = context
        context.apiKey = record
        context.logger[metadataKey: "apiKey"] = .string(record.name)
        return try await next(request, context)
    }

    static func basicPassword(_ headers: HTTPFields) -> String? {
        guard let authorization = headers[.authorization], authorization.lowercased().hasPrefix("basic ") else { return nil }
        let encoded = authorization.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        let password = String(text[text.index(after: colon)...])
        return password.isEmpty ? nil : password
    }
}
