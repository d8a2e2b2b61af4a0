import Foundation
import HTTPTypes
import Hummingbird
import PackageFeed

/// `GET /badge/{id}.svg`: the package's latest verdict for READMEs and dashboards.
struct BadgeController {
    let feed: PackageFeed
    let privateMetadata: Bool

    /// `badge` must carry the auth middleware: under `--private` the badge needs a read key, and a key the
    /// middleware never read is no key at all (the cause of the 401 a read key used to get).
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(":file", use: badge)
    }

    @Sendable func badge(_ request: Request, context: AppRequestContext) async throws -> Response {
        if privateMetadata { try context.require(.read) }
        let file = try context.parameters.require("file")
        guard file.hasSuffix(".svg") else { throw APIError(status: .notFound, message: "badges are at /badge/<PackageId>.svg") }
        let id = try PackageID(String(file.dropLast(4)))
        let state = try await badgeState(for: id)
        var headers = HTTPFields()
        headers[.contentType] = "image/svg+xml; charset=utf-8"
        headers[.cacheControl] = "no-cache, max-age=0"
        let svg = BadgeSVG.render(label: "backup", message: state.message, color: state.color)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: svg)))
    }

    /// Green "verified 2h ago" when the newest version passed; red "failed" when its latest run failed or errored;
    /// grey "unverified" when nothing was judged yet (or the package is unknown).
    func badgeState(for id: PackageID, now: Date = Date()) async throws -> (message: String, color: String) {
        guard let (_, versions) = try? await feed.versions(of: id), let newest = versions.first(where: { !$0.isPrerelease }) ?? versions.first else {
            return ("unverified", "#9f9f9f")
        }
        let jobs = try await feed.catalog.latestJobs(versionIds: [newest.id!])
        switch jobs[newest.id!]?.status {
        case "passed":
            let finished = jobs[newest.id!]?.finishedAt ?? now
            return ("verified \(RelativeAge.text(from: finished, to: now))", "#2e7d32")
        case "failed": return ("failed", "#c62828")
        case "error": return ("error", "#e65100")
        case "queued", "running": return ("verifying", "#1565c0")
        default: return ("unverified", "#9f9f9f")
        }
    }
}

/// "just now", "5m ago", "3h ago", "2d ago".
enum RelativeAge {
    static func text(from date: Date, to now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "just now"
        case ..<3600: return "\(seconds / 60)m ago"
        case ..<86400: return "\(seconds / 3600)h ago"
        default: return "\(seconds / 86400)d ago"
        }
    }
}

/// A flat two-part badge in the common shields style; text widths estimated per character (Verdana 11px).
enum BadgeSVG {
    static func render(label: String, message: String, color: String) -> String {
        let labelWidth = textWidth(label) + 12
        let messageWidth = textWidth(message) + 12
        let total = labelWidth + messageWidth
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(total)" height="20" role="img" aria-label="\(escape(label)): \(escape(message))">\
            <title>\(escape(label)): \(escape(message))</title>\
            <rect width="\(labelWidth)" height="20" fill="#555"/>\
            <rect x="\(labelWidth)" width="\(messageWidth)" height="20" fill="\(color)"/>\
            <g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">\
            <text x="\(labelWidth / 2)" y="14">\(escape(label))</text>\
            <text x="\(labelWidth + messageWidth / 2)" y="14">\(escape(message))</text></g></svg>
            """
    }

    static func textWidth(_ text: String) -> Int { text.count * 7 }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
