/// What a notification target is. Every kind is subscribed per event and delivered through the same outbox as
/// webhooks (in order, retried, kept across restarts); only the last step, what is sent where, differs.
enum NotificationKind: String, CaseIterable, Sendable {
    /// The signed BackupFeed JSON payload, POSTed as is.
    case webhook
    /// A Slack incoming webhook: a readable message with a link to the report.
    case slack
    /// A Microsoft Teams Workflows webhook ("When a Teams webhook request is received"): an Adaptive Card.
    case teams
    /// A healthchecks.io-style dead-man's switch: the URL is pinged on success, `URL/fail` on failure.
    case healthchecks
    /// Mail through the server's SMTP relay (`serve --smtp-url`); the target is `mailto:` one or more addresses.
    case email

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The events a target of this kind gets when the subscription names none: what a person wants to hear about.
    var defaultEvents: [WebhookEvent]? {
        switch self {
        case .webhook: nil
        case .healthchecks: [.versionPushed, .verificationPassed, .verificationFailed, .verificationError]
        case .slack, .teams, .email: [.verificationFailed, .verificationError, .packageStale, .packageOverdue]
        }
    }
}
