import BackupVerifier
import Foundation
import Hummingbird
import PackageFeed

/// `GET /api/packages/{id}/trend?take=90`: per version, oldest first, what the package page charts: restore time,
/// backup size and total rows, with failures and drops beyond the policy's threshold marked.
struct TrendController {
    let feed: PackageFeed
    let privateMetadata: Bool

    func addRoutes(to packages: RouterGroup<AppRequestContext>) {
        packages.get(":id/trend", use: trend)
    }

    struct Point: Codable, Sendable {
        var version: String
        var publishedAt: Date
        var size: Int64
        var verdict: String?
        var restoreSeconds: Double?
        var totalRows: Int?
        /// Smaller than the previous version by more than the policy's maxRowDropPercent.
        var sizeDrop: Bool
        /// Fewer rows than the previous version with a count, by more than maxRowDropPercent.
        var rowDrop: Bool
    }

    struct TrendResponse: Codable, Sendable {
        var packageId: String
        var maxRowDropPercent: Double
        var points: [Point]
    }

    @Sendable func trend(_ request: Request, context: AppRequestContext) async throws -> Response {
        if privateMetadata { try context.require(.read) }
        let id = try context.parameters.packageID()
        let take = try request.pagingParameters(defaultTake: 90, maxTake: 500).take
        let (package, versions) = try await feed.versions(of: id)
        let policy = try await PolicyStore(catalog: feed.catalog).policy(for: package.key)
        let verdicts = Dictionary(
            try await feed.catalog.versionsWithVerdicts(packageKey: package.key).compactMap { entry in entry.version.id.map { ($0, entry.verdict) } },
            uniquingKeysWith: { first, _ in first })
        // `versions` is newest first: keep the newest `take`, chart them oldest first.
        let chosen = Array(versions.prefix(take).reversed())
        var points: [Point] = []
        var previousSize: Int64?
        var previousRows: Int?
        let threshold = policy.maxRowDropPercent / 100
        for version in chosen {
            let job = version.id.flatMap { verdicts[$0] ?? nil }
            let report = job?.report.flatMap { try? JSONDecoder.reports.decode(VerificationReport.self, from: Data($0.utf8)) }
            let rows = report.flatMap { $0.tables.isEmpty ? nil : $0.tables.reduce(0) { $0 + $1.rows } }
            let sizeDrop = previousSize.map { $0 > 0 && Double($0 - version.size) / Double($0) > threshold } ?? false
            let rowDrop = rows.flatMap { rows in previousRows.map { $0 > 0 && Double($0 - rows) / Double($0) > threshold } } ?? false
            points.append(Point(
                version: version.version, publishedAt: version.publishedAt, size: version.size, verdict: job?.status,
                restoreSeconds: report?.timings.first { $0.stage == "restore" }?.seconds, totalRows: rows, sizeDrop: sizeDrop, rowDrop: rowDrop))
            previousSize = version.size
            if let rows { previousRows = rows }
        }
        return try JSONResponse.make(TrendResponse(packageId: package.display, maxRowDropPercent: policy.maxRowDropPercent, points: points))
    }
}
