import Foundation
import GRDB

/// A webhook subscription: where to POST, which events, and the optional signing secret.
public struct WebhookRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "webhook"
    public var id: Int64?
    /// What the target is: `webhook` (signed JSON), `slack`, `teams`, `healthchecks`, or `email` (then `url` is a
    /// `mailto:` list). Older rows are webhooks.
    public var kind: String = "webhook"
    public var url: String
    /// Event names such as `version.pushed`; stored as a JSON array.
    public var events: [String]
    /// Never shown by the API; needed in clear text to sign deliveries.
    public var secret: String?
    public var createdAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The state of one delivery in the outbox.
public enum WebhookDeliveryStatus: String, Codable, Sendable {
    /// Waiting for its first attempt or a retry.
    case pending
    case delivered
    /// Given up after the last allowed attempt.
    case failed
}

/// One event to deliver to one webhook, with the outcome of its attempts so far.
public struct WebhookDeliveryRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "webhookDelivery"
    public var id: Int64?
    public var webhookId: Int64
    public var event: String
    /// The JSON body, written once when the event happened, so that retries send the same bytes.
    public var payload: String
    public var status: WebhookDeliveryStatus
    public var attempts: Int
    /// When a pending delivery may next be attempted; nil once it is delivered or failed.
    public var nextAttemptAt: Date?
    public var lastStatusCode: Int?
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
