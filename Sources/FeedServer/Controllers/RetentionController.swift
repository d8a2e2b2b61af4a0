import Hummingbird
import Logging
import PackageFeed

/// `POST /api/retention/apply[?dryRun=true]`: applies every package's retention policy now (admin).
struct RetentionController {
    let feed: PackageFeed
    let logger: Logger

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post("retention/apply", use: apply)
    }

    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        let dryRun = try request.boolParameter("dryRun") ?? false
        let result = try await RetentionRunner(feed: feed, logger: logger).apply(dryRun: dryRun)
        return try JSONResponse.make(result)
    }
}
