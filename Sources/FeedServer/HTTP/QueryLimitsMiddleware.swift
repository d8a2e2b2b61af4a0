import Hummingbird
import HummingbirdCore

/// Refuses with 400 a query string no route needs: too long, too many parameters, or a value past its cap.
///
/// Every value ends up in memory, in a SQL argument or in a log line; no parameter of this API needs more than a few
/// hundred characters (package IDs are 100 at most), so past the caps a query is a mistake or an attack, and a 400
/// that names the parameter is better than whatever the deepest layer does with 50,000 characters.
/// It wraps the key check (`QueryLimitsMiddleware(AuthMiddleware(…))`), so that it runs in every route group that
/// reads keys, inside the group's error middleware: the Octopus routes answer in their own error shape.
struct QueryLimitsMiddleware<Wrapped: RouterMiddleware>: RouterMiddleware
where Wrapped.Input == Request, Wrapped.Output == Response {
    typealias Context = Wrapped.Context
    let wrapped: Wrapped

    init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
    }

    static var maxQueryLength: Int { 4096 }
    static var maxParameters: Int { 32 }
    static var maxNameLength: Int { 64 }
    static var maxValueLength: Int { 1024 }
    /// Tighter caps where a value has a known shape.
    static var valueLimits: [String: Int] { ["filter": 200, "packageid": 100, "extension": 16] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try Self.check(request.uri)
        return try await wrapped.handle(request, context: context, next: next)
    }

    static func check(_ uri: URI) throws {
        guard let query = uri.query, !query.isEmpty else { return }
        guard query.utf8.count <= maxQueryLength else {
            throw APIError(status: .badRequest, message: "the query string is longer than \(maxQueryLength) characters")
        }
        let parameters = uri.queryParameters
        guard parameters.count <= maxParameters else {
            throw APIError(status: .badRequest, message: "the query has more than \(maxParameters) parameters")
        }
        for (name, value) in parameters {
            guard name.count <= maxNameLength else {
                throw APIError(status: .badRequest, message: "a query parameter name is longer than \(maxNameLength) characters")
            }
            let limit = valueLimits[name.lowercased()] ?? maxValueLength
            guard value.count <= limit else {
                throw APIError(status: .badRequest, message: "\(name) must be at most \(limit) characters")
            }
        }
    }
}
