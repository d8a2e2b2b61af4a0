import HTTPTypes
import Hummingbird
import PackageFeed

/// `GET /metrics`: Prometheus text exposition. Public like the metadata routes, and like them behind a read key
/// with `--private` (package names are in the labels).
struct MetricsController {
    let metrics: FeedMetrics
    let feed: PackageFeed
    let privateMetadata: Bool

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: scrape)
    }

    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        if privateMetadata { try context.require(.read) }
        let text = try await metrics.exposition(catalog: feed.catalog)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
