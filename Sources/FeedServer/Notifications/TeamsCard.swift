import Foundation

/// The body of a Microsoft Teams Workflows webhook POST: a message with one Adaptive Card attachment
/// (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#adaptive-card),
/// the shape the "Post to a channel when a webhook request is received" workflow expects.
enum TeamsCard {
    static let contentType = "application/vnd.microsoft.card.adaptive"

    static func body(_ content: NotificationContent) throws -> Data {
        var facts: [[String: String]] = [["title": "Package", "value": content.package]]
        if let version = content.version { facts.append(["title": "Version", "value": version]) }
        if let verdict = content.verdict { facts.append(["title": "Verdict", "value": verdict]) }
        facts.append(["title": "When", "value": content.occurredAt])
        var cardBody: [[String: Any]] = [
            [
                "type": "TextBlock", "text": content.headline, "weight": "Bolder", "size": "Medium", "wrap": true,
                "color": content.isProblem ? "Attention" : "Good",
            ],
            ["type": "TextBlock", "text": content.summary, "wrap": true],
            ["type": "FactSet", "facts": facts],
        ]
        for check in (content.failingChecks ?? []).prefix(5) {
            cardBody.append(["type": "TextBlock", "text": "**\(check.name)**: \(check.reason)", "wrap": true, "spacing": "Small"])
        }
        let card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": cardBody,
            "actions": [["type": "Action.OpenUrl", "title": "Open the report", "url": content.reportUrl]],
        ]
        let message: [String: Any] = [
            "type": "message",
            "attachments": [["contentType": contentType, "contentUrl": NSNull(), "content": card]],
        ]
        return try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
