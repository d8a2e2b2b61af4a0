/// Where a healthchecks.io-style check is pinged (https://healthchecks.io/docs/http_api/): a pushed version starts
/// the timer (`/start`), a passed verification is the success ping, anything wrong is `/fail`. The check's own
/// schedule then alerts from outside when no success ping arrives: a backup that never came, or a BackupFeed
/// that is down.
enum HealthchecksPing {
    static func url(base: String, content: NotificationContent) -> String {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        switch WebhookEvent(rawValue: content.event) {
        case .versionPushed: return trimmed + "/start"
        case .verificationPassed: return trimmed
        default: return trimmed + "/fail"
        }
    }

    /// The ping's body, which healthchecks.io keeps as the ping's log: the summary a person reads first.
    static func body(_ content: NotificationContent) -> String {
        "\(content.headline)\n\(content.summary)\n\(content.reportUrl)\n"
    }
}
