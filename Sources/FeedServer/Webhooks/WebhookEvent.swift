/// The events a webhook can subscribe to: the `event` field of every payload and the `X-BackupFeed-Event` header.
enum WebhookEvent: String, CaseIterable, Codable, Sendable {
    case versionPushed = "version.pushed"
    case verificationPassed = "verification.passed"
    case verificationFailed = "verification.failed"
    case verificationError = "verification.error"
    case packageStale = "package.stale"
    case packageOverdue = "package.overdue"

    static var names: [String] { allCases.map(\.rawValue) }
}
