import Hummingbird
import PackageFeed

/// `GET /health`: the catalog answers a read. For load balancers and compose healthchecks.
struct HealthController {
    let feed: PackageFeed

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("health") { _, _ in
            _ = try await feed.catalog.queuedJobCount()
            return try JSONResponse.make(["status": "ok"])
        }
    }
}
