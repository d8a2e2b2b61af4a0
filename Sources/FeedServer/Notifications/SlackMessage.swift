import Foundation

/// The body of a Slack incoming-webhook POST (https://api.slack.com/messaging/webhooks): `text` is the
/// notification and fallback line, `blocks` the readable message with a button to the report.
enum SlackMessage {
    static func body(_ content: NotificationContent) throws -> Data {
        var fields: [[String: Any]] = [["type": "mrkdwn", "text": "*Package*\n\(escape(content.package))"]]
        if let version = content.version { fields.append(["type": "mrkdwn", "text": "*Version*\n\(escape(version))"]) }
        if let verdict = content.verdict { fields.append(["type": "mrkdwn", "text": "*Verdict*\n\(escape(verdict))"]) }
        var blocks: [[String: Any]] = [
            ["type": "header", "text": ["type": "plain_text", "text": String(content.headline.prefix(150)), "emoji": false]],
            ["type": "section", "text": ["type": "mrkdwn", "text": escape(content.summary)], "fields": fields],
        ]
        if let failing = content.failingChecks, !failing.isEmpty {
            let lines = failing.prefix(5).map { "• *\(escape($0.name))*: \(escape($0.reason))" }.joined(separator: "\n")
            blocks.append(["type": "section", "text": ["type": "mrkdwn", "text": String(lines.prefix(3000))]])
        }
        blocks.append([
            "type": "actions",
            "elements": [["type": "button", "text": ["type": "plain_text", "text": "Open the report"], "url": content.reportUrl]],
        ])
        let body: [String: Any] = [
            "text": "\(escape(content.headline)): \(escape(content.summary)) <\(content.reportUrl)|Open the report>",
            "blocks": blocks,
        ]
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// Slack's three control characters in mrkdwn; everything else is shown as written.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
