import Foundation
import HTTPTypes

/// The body of `POST /api/webhooks`, validated: every refusal names the field that is wrong.
struct WebhookSubscription: Sendable, Equatable {
    var url: String
    var events: [String]
    var secret: String?

    static let fields: Set<String> = ["url", "events", "secret"]

    static func decode(_ data: Data, targets: TargetAddressPolicy) throws -> WebhookSubscription {
        guard let object = try? JSONSerialization.jsonObject(with: data) else {
            throw invalid("the body is not valid JSON")
        }
        guard let body = object as? [String: Any] else { throw invalid("the body must be a JSON object") }
        // A misspelt field ("secrets") would otherwise be dropped silently and deliveries go out unsigned.
        if let unknown = body.keys.sorted().first(where: { !fields.contains($0) }) {
            throw invalid("\(unknown): unknown field; known fields are \(fields.sorted().joined(separator: ", "))")
        }
        return WebhookSubscription(
            url: try url(body["url"], targets: targets), events: try events(body["events"]), secret: try secret(body["secret"]))
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
