import Foundation
import Hummingbird
import PackageFeed

/// `GET /api/reports/evidence?from=…&to=…[&package=…][&format=csv]`: the period evidence report.
struct EvidenceController {
    let feed: PackageFeed
    let privateMetadata: Bool

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get("reports/evidence", use: evidence)
    }

    /// The longest period one report may cover: ten years.
    static let maxPeriod: TimeInterval = 10 * 366 * 86400

    @Sendable func evidence(_ request: Request, context: AppRequestContext) async throws -> Response {
        if privateMetadata { try context.require(.read) }
        let now = Date()
        let to = try Self.date(request, "to") ?? now
        let from = try Self.date(request, "from") ?? to.addingTimeInterval(-30 * 86400)
        guard from < to else { throw APIError(status: .badRequest, message: "from must be before to") }
        guard to.timeIntervalSince(from) <= Self.maxPeriod else { throw APIError(status: .badRequest, message: "a report covers at most ten years") }
        var packageKey: String?
        if let text = request.uri.queryParameters["package"].map(String.init), !text.isEmpty {
            let id = try PackageID(text)
            guard try await feed.catalog.package(key: id.key) != nil else { throw FeedError.packageNotFound(id.display) }
            packageKey = id.key
        }
        let report = try await EvidenceReport.make(catalog: feed.catalog, from: from, to: to, packageKey: packageKey)
        let format = request.uri.queryParameters["format"].map { String($0).lowercased() }
            ?? (request.headers[.accept]?.contains("text/csv") == true ? "csv" : "json")
        switch format {
        case "csv":
            let name = "backupfeed-evidence-\(Self.day(from))-\(Self.day(to)).csv"
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
                body: .init(byteBuffer: ByteBuffer(string: report.csv())))
        case "json":
            return try JSONResponse.make(report)
        default:
            throw APIError(status: .badRequest, message: "format must be json or csv")
        }
    }

    /// An ISO 8601 date-time, or a day (`2026-11-01`, taken as midnight UTC).
    static func date(_ request: Request, _ name: String) throws -> Date? {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init), !text.isEmpty else { return nil }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        if let date = day.date(from: text) { return date }
        throw APIError(status: .badRequest, message: "\(name) must be a date (2026-11-01) or an ISO 8601 time (2026-11-01T00:00:00Z)")
    }

    static func day(_ date: Date) -> String {
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        return day.string(from: date)
    }
}
