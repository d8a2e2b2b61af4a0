import HTTPTypes
import Hummingbird

/// Answers every `/api/…` path that no route serves with a 404 in Octopus's shape, so that an Octopus client
/// calling something BackupFeed does not have (`…/delta-signature`, which makes the Go client fall back to a full
/// upload) prints a real message instead of an empty one. Registered last, as recursive wildcards, so the router
/// tries every real route first.
struct OctopusNotFoundController {
    let space: OctopusSpace

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        for method in [HTTPRequest.Method.get, .head, .post, .put, .delete, .patch] {
            group.on("**", method: method, use: notFound)
        }
    }

    @Sendable func notFound(_ request: Request, context: AppRequestContext) async throws -> Response {
        let path = request.uri.path
        let segments = path.split(separator: "/")
        // `/api/<segment>/…` where the segment is no route of its own reads as a space ID: say which spaces exist.
        if segments.count >= 3, let candidate = segments.dropFirst().first, candidate != OctopusSpace.id,
            !Self.topLevel.contains(candidate.lowercased())
        {
            throw space.unknown(String(candidate))
        }
        throw APIError(
            status: .notFound,
            message: "BackupFeed has no \(request.method.rawValue) \(path)",
            detail: "see docs/openapi.yaml for the routes; Octopus clients need only the built-in feed's"
        )
    }

    /// The first segments under `/api` that are routes, not spaces.
    static let topLevel: Set<String> = ["packages", "spaces", "users", "feeds", "webhooks", "verifications", "retention"]
}
