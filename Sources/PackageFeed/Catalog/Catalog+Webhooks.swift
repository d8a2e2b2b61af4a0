import Foundation
import GRDB

extension Catalog {
    public func createWebhook(
        kind: String = "webhook", url: String, events: [String], secret: String?, at date: Date = Date()
    ) async throws -> WebhookRecord {
        try await pool.write { db in
            var webhook = WebhookRecord(id: nil, kind: kind, url: url, events: events, secret: secret, createdAt: date)
            try webhook.insert(db)
            return webhook
        }
    }

    /// Every webhook, oldest first.
    public func webhooks() async throws -> [WebhookRecord] {
        try await pool.read { db in try WebhookRecord.order(Column("id")).fetchAll(db) }
    }

    public func webhook(id: Int64) async throws -> WebhookRecord? {
        try await pool.read { db in try WebhookRecord.fetchOne(db, key: id) }
    }

    /// Removes a webhook and, through the foreign key's cascade, its deliveries; false when there was none.
    public func deleteWebhook(id: Int64) async throws -> Bool {
        try await pool.write { db in try WebhookRecord.deleteOne(db, key: id) }
    }

    /// Adds one pending delivery of `event` for every webhook subscribed to it, in one transaction, so that a
    /// crash never leaves some subscribers with the event and others without. `payload` builds each body from the
    /// delivery's id (which the body carries); the deliveries are due at once.
    @discardableResult
    public func enqueueDeliveries(
        event: String, at date: Date = Date(), payload: @escaping @Sendable (_ deliveryId: Int64) throws -> String
    ) async throws -> [WebhookDeliveryRecord] {
        try await pool.write { db in
            let subscribers = try WebhookRecord.order(Column("id")).fetchAll(db).filter { $0.events.contains(event) }
            var deliveries: [WebhookDeliveryRecord] = []
            for webhook in subscribers {
                guard let webhookId = webhook.id else { continue }
                var delivery = WebhookDeliveryRecord(
                    id: nil, webhookId: webhookId, event: event, payload: "", status: .pending, attempts: 0,
                    nextAttemptAt: date, createdAt: date)
                try delivery.insert(db)
                delivery.payload = try payload(delivery.id!)
                try delivery.update(db)
                deliveries.append(delivery)
            }
            return deliveries
        }
    }

    /// The oldest pending delivery of each webhook: the only one of that webhook that may be attempted, because a
    /// webhook's deliveries go out strictly in order. Whether it is due is its `nextAttemptAt`.
    public func nextPendingDeliveries() async throws -> [WebhookDeliveryRecord] {
        try await pool.read { db in
            try WebhookDeliveryRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM webhookDelivery WHERE id IN (
                      SELECT min(id) FROM webhookDelivery WHERE status = 'pending' GROUP BY webhookId)
                    ORDER BY id
                    """
            )
        }
    }

    public func delivery(id: Int64) async throws -> WebhookDeliveryRecord? {
        try await pool.read { db in try WebhookDeliveryRecord.fetchOne(db, key: id) }
    }

    /// Records an attempt the receiver answered with 2xx.
    public func markDelivered(id: Int64, statusCode: Int, at date: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE webhookDelivery SET status = 'delivered', attempts = attempts + 1, lastStatusCode = ?,
                      lastError = NULL, nextAttemptAt = NULL, deliveredAt = ?
                    WHERE id = ? AND status = 'pending'
                    """,
                arguments: [statusCode, date, id]
            )
        }
    }

    /// Records an attempt that failed (a non-2xx status, or no answer: `statusCode` nil). With `retryAt` the
    /// delivery stays pending until then; without, it was the last allowed attempt and the delivery is `failed`,
    /// which lets the webhook's next delivery go.
    public func markAttemptFailed(id: Int64, statusCode: Int?, error: String, retryAt: Date?) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE webhookDelivery SET status = ?, attempts = attempts + 1, lastStatusCode = ?, lastError = ?,
                      nextAttemptAt = ?
                    WHERE id = ? AND status = 'pending'
                    """,
                arguments: [
                    (retryAt == nil ? WebhookDeliveryStatus.failed : .pending).rawValue, statusCode, error, retryAt, id,
                ]
            )
        }
    }

    /// A webhook's deliveries, newest first, and how many there are in all.
    public func deliveries(webhookId: Int64, skip: Int, take: Int) async throws -> ([WebhookDeliveryRecord], total: Int) {
        try await pool.read { db in
            let all = WebhookDeliveryRecord.filter(Column("webhookId") == webhookId)
            let page = try all.order(Column("id").desc).limit(take, offset: skip).fetchAll(db)
            return (page, try all.fetchCount(db))
        }
    }
}
