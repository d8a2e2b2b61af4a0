import BackupVerifier
import Foundation

/// The JSON body of a delivery. Every field is always present; those that do not apply to the event are null, so
/// that a receiver can read one shape for every event.
struct WebhookPayload: Encodable, Sendable {
    struct FailingCheck: Codable, Sendable, Equatable {
        var name: String
        var reason: String
    }

    var event: WebhookEvent
    /// Also the `X-BackupFeed-Delivery` header: the same id on every attempt, for receivers that deduplicate.
    var deliveryId: Int64 = 0
    var occurredAt: Date
    var package: String
    var version: String?
    var verdict: Verdict?
    var summary: String
    var failingChecks: [FailingCheck]?
    /// The page that shows the version (or the package, for `package.stale`).
    var reportUrl: String
    var size: Int64?
    var sha256: String?
    var lastVerifiedAt: Date?
    var maxAgeHours: Double?
    var lastArrivalAt: Date?
    var expectEvery: String?

    enum CodingKeys: String, CodingKey {
        case event, deliveryId, occurredAt, package, version, verdict, summary, failingChecks, reportUrl, size, sha256,
            lastVerifiedAt, maxAgeHours, lastArrivalAt, expectEvery
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event, forKey: .event)
        try container.encode(deliveryId, forKey: .deliveryId)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(package, forKey: .package)
        try container.encode(version, forKey: .version)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(summary, forKey: .summary)
        try container.encode(failingChecks, forKey: .failingChecks)
        try container.encode(reportUrl, forKey: .reportUrl)
        try container.encode(size, forKey: .size)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(lastVerifiedAt, forKey: .lastVerifiedAt)
        try container.encode(maxAgeHours, forKey: .maxAgeHours)
        try container.encode(lastArrivalAt, forKey: .lastArrivalAt)
        try container.encode(expectEvery, forKey: .expectEvery)
    }

    /// The body as it is stored in the outbox and sent, byte for byte, on every attempt.
    func json(deliveryId: Int64) throws -> String {
        var payload = self
        payload.deliveryId = deliveryId
        return String(decoding: try JSONResponse.encoder.encode(payload), as: UTF8.self)
    }
}

extension WebhookPayload {
    /// What a webhook receives for a feed event; `linkBase` is the server's public URL (no trailing slash).
    init(_ event: FeedEvent, linkBase: String, now: Date = Date()) {
        switch event {
        case .versionPushed(let pushed):
            self.init(
                event: .versionPushed, occurredAt: now, package: pushed.packageId, version: pushed.version,
                summary: "\(pushed.packageId) \(pushed.version) \(pushed.replaced ? "replaced" : "pushed") (\(pushed.size) bytes)",
                reportUrl: Self.link(linkBase, pushed.packageId, pushed.version), size: pushed.size, sha256: pushed.sha256)
        case .verificationFinished(let finished):
            let report = finished.report
            let event: WebhookEvent =
                switch report.verdict {
                case .passed: .verificationPassed
                case .failed: .verificationFailed
                case .error: .verificationError
                }
            // The checks that decided the verdict: failed ones, and for an `error` verdict the one that could not run.
            let failing = report.checks.filter { $0.status == .failed || $0.status == .error }
                .map { FailingCheck(name: $0.name, reason: $0.detail) }
            self.init(
                event: event, occurredAt: finished.finishedAt, package: finished.packageId, version: finished.version,
                verdict: report.verdict, summary: report.summary, failingChecks: failing,
                reportUrl: Self.link(linkBase, finished.packageId, finished.version))
        case .packageStale(let stale):
            let age = String(format: "%g", stale.maxAgeHours)
            let summary =
                if let last = stale.lastVerifiedAt {
                    "\(stale.packageId) has had no passed verification for more than \(age) h (last one \(ISO8601DateFormatter().string(from: last)))"
                } else {
                    "\(stale.packageId) has never passed verification and its newest version is older than \(age) h"
                }
            self.init(
                event: .packageStale, occurredAt: now, package: stale.packageId, summary: summary,
                reportUrl: Self.link(linkBase, stale.packageId, nil), lastVerifiedAt: stale.lastVerifiedAt,
                maxAgeHours: stale.maxAgeHours)
        case .packageOverdue(let overdue):
            let summary =
                if let last = overdue.lastArrivalAt {
                    "\(overdue.packageId): no new backup for more than \(overdue.expectEvery) (the last one arrived \(ISO8601DateFormatter().string(from: last)))"
                } else {
                    "\(overdue.packageId): no backup has arrived yet, and it was expected every \(overdue.expectEvery)"
                }
            self.init(
                event: .packageOverdue, occurredAt: now, package: overdue.packageId, summary: summary,
                reportUrl: Self.link(linkBase, overdue.packageId, nil), lastArrivalAt: overdue.lastArrivalAt, expectEvery: overdue.expectEvery)
        }
    }

    /// `<base>/packages/<id>[/<version>]`: the browser UI's page.
    static func link(_ base: String, _ packageId: String, _ version: String?) -> String {
        let segments = ["packages", packageId] + (version.map { [$0] } ?? [])
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))
        return base + "/" + segments.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }.joined(separator: "/")
    }
}
