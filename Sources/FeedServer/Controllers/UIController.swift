import Foundation
import HTTPTypes
import Hummingbird

/// The browser UI is one page that routes on the URL: `/packages/…` must load it on a direct visit or reload,
/// where FileMiddleware alone would answer 404.
struct UIController {
    let publicDirectory: URL
    let fileIO = FileIO()

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("packages/**", use: index)
        router.get("packages", use: index)
        router.get("evidence", use: index)
    }

    @Sendable func index(_ request: Request, context: AppRequestContext) async throws -> Response {
        let path = publicDirectory.appendingPathComponent("index.html").path
        let body = try await fileIO.loadFile(path: path, context: context)
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }
}
