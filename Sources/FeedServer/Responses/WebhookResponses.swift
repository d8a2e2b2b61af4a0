import Foundation
import PackageFeed

/// A webhook as the API shows it: never the secret, only whether there is one.
struct WebhookResponse: Codable, Sendable {
    var id: Int64
    var kind: String
    var url: String
    var events: [String]
    var hasSecret: Bool
    var createdAt: Date

    init(_ record: WebhookRecord) {
        id = record.id ?? 0
        kind = record.kind
        url = record.url
        events = record.events
        hasSecret = record.secret != nil
        createdAt = record.createdAt
    }
}

struct WebhookListResponse: Codable, Sendable {
    var items: [WebhookResponse]
}

/// One entry of a webhook's delivery log, with the body that is (or was) sent. Fields without a value are null.
struct WebhookDeliveryResponse: Codable, Sendable {
    var id: Int64
    var event: String
    var status: String
    var attempts: Int
    var lastStatusCode: Int?
    var lastError: String?
    var createdAt: Date
    var deliveredAt: Date?
    var nextAttemptAt: Date?
    var payload: JSONTree

    init(_ record: WebhookDeliveryRecord) {
        id = record.id ?? 0
        event = record.event
        status = record.status.rawValue
        attempts = record.attempts
        lastStatusCode = record.lastStatusCode
        lastError = record.lastError
        createdAt = record.createdAt
        deliveredAt = record.deliveredAt
        nextAttemptAt = record.nextAttemptAt
        payload = (try? JSONDecoder().decode(JSONTree.self, from: Data(record.payload.utf8))) ?? .string(record.payload)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(event, forKey: .event)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(lastStatusCode, forKey: .lastStatusCode)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(deliveredAt, forKey: .deliveredAt)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(payload, forKey: .payload)
    }
}
