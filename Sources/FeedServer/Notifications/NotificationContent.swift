import Foundation

/// The parts of a stored delivery payload that the channels render. Read back from the outbox's JSON, so that a
/// retry after a restart renders exactly what the first attempt did.
struct NotificationContent: Decodable, Sendable {
    struct FailingCheck: Decodable, Sendable {
        var name: String
        var reason: String
    }

    var event: String
    var deliveryId: Int64
    var occurredAt: String
    var package: String
    var version: String?
    var verdict: String?
    var summary: String
    var failingChecks: [FailingCheck]?
    var reportUrl: String

    static func decode(_ payload: String) throws -> NotificationContent {
        try JSONDecoder().decode(NotificationContent.self, from: Data(payload.utf8))
    }

    /// "PetClinicDB 2022.06.20" or just the package for package events.
    var subject: String { version.map { "\(package) \($0)" } ?? package }

    /// A short, capitalised headline for the event: what happened, before the details.
    var headline: String {
        switch WebhookEvent(rawValue: event) {
        case .versionPushed: "New backup: \(subject)"
        case .verificationPassed: "Verified: \(subject) restores"
        case .verificationFailed: "FAILED: \(subject) is not a usable backup"
        case .verificationError: "Could not verify \(subject)"
        case .packageStale: "Stale: \(package) has no recent verified backup"
        case .packageOverdue: "Overdue: no new backup of \(package)"
        case nil: "\(event): \(subject)"
        }
    }

    /// Whether the event means something is wrong (for colours and for the healthchecks failure signal).
    var isProblem: Bool {
        switch WebhookEvent(rawValue: event) {
        case .verificationFailed, .verificationError, .packageStale, .packageOverdue: true
        case .versionPushed, .verificationPassed, nil: false
        }
    }
}
