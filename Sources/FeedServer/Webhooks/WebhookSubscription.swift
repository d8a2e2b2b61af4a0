import Foundation
import HTTPTypes

/// The body of `POST /api/webhooks`, validated: every refusal names the field that is wrong.
struct WebhookSubscription: Sendable, Equatable {
    var kind: NotificationKind = .webhook
    var url: String
    var events: [String]
    var secret: String?

    static let fields: Set<String> = ["kind", "url", "events", "secret"]

    /// `emailEnabled`: whether the server has an SMTP relay (`serve --smtp-url`), without which an email target
    /// could never be delivered.
    static func decode(_ data: Data, targets: TargetAddressPolicy, emailEnabled: Bool = false) throws -> WebhookSubscription {
        guard let object = try? JSONSerialization.jsonObject(with: data) else {
            throw invalid("the body is not valid JSON")
        }
        guard let body = object as? [String: Any] else { throw invalid("the body must be a JSON object") }
        // A misspelt field ("secrets") would otherwise be dropped silently and deliveries go out unsigned.
        if let unknown = body.keys.sorted().first(where: { !fields.contains($0) }) {
            throw invalid("\(unknown): unknown field; known fields are \(fields.sorted().joined(separator: ", "))")
        }
        let kind = try kind(body["kind"])
        if kind == .email, !emailEnabled {
            throw invalid("kind: email targets need the server's mail relay; start it with serve --smtp-url smtp://user:password@host:587")
        }
        let secret = try secret(body["secret"])
        if secret != nil, kind != .webhook {
            throw invalid("secret: only webhook targets are signed; a \(kind.rawValue) target takes no secret")
        }
        let events: [String]
        if body["events"] == nil, let defaults = kind.defaultEvents {
            events = defaults.map(\.rawValue)
        } else {
            events = try Self.events(body["events"])
        }
        let target = kind == .email ? try recipients(body["url"]) : try url(body["url"], targets: targets)
        return WebhookSubscription(kind: kind, url: target, events: events, secret: secret)
    }

    private static func kind(_ value: Any?) throws -> NotificationKind {
        guard let value, !(value is NSNull) else { return .webhook }
        guard let text = value as? String, let kind = NotificationKind(rawValue: text) else {
            throw invalid("kind: must be one of \(NotificationKind.names)")
        }
        return kind
    }

    private static func recipients(_ value: Any?) throws -> String {
        guard let text = value as? String else { throw invalid("url: is required: mailto: and one or more addresses, such as mailto:ops@example.com") }
        guard let list = EmailRecipients.parse(text.trimmingCharacters(in: .whitespaces)) else {
            throw invalid("url: must be mailto: and up to 20 plain addresses separated by commas, such as mailto:ops@example.com,dba@example.com")
        }
        return "mailto:" + list.joined(separator: ",")
    }

    private static func url(_ value: Any?, targets: TargetAddressPolicy) throws -> String {
        guard let value else { throw invalid("url: is required") }
        guard let text = value as? String else { throw invalid("url: must be a string") }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= 2048, let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty
        else { throw invalid("url: must be an http:// or https:// URL with a host, such as https://hooks.example.com/backupfeed") }
        // The literal host only; what a name resolves to is checked at each delivery, since it can change.
        if let refusal = targets.refusal(host: host) {
            throw invalid("url: \(refusal); webhooks may not target loopback, link-local or private addresses unless the server runs with --allow-private-targets")
        }
        return trimmed
    }

    private static func events(_ value: Any?) throws -> [String] {
        guard let value else { throw invalid("events: is required (\(known))") }
        guard let list = value as? [Any] else { throw invalid("events: must be a list of event names (\(known))") }
        guard !list.isEmpty else { throw invalid("events: must name at least one event (\(known))") }
        var events: [String] = []
        for (index, item) in list.enumerated() {
            guard let name = item as? String else { throw invalid("events[\(index)]: must be a string") }
            guard WebhookEvent(rawValue: name) != nil else { throw invalid("events[\(index)]: unknown event '\(name)' (\(known))") }
            if !events.contains(name) { events.append(name) }
        }
        return events
    }

    private static func secret(_ value: Any?) throws -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw invalid("secret: must be a string") }
        guard !text.isEmpty else { throw invalid("secret: must not be empty; leave it out to send unsigned deliveries") }
        return text
    }

    private static var known: String { "known events are " + WebhookEvent.names.joined(separator: ", ") }

    private static func invalid(_ message: String) -> APIError {
        APIError(status: .badRequest, message: "invalid webhook: \(message)")
    }
}
