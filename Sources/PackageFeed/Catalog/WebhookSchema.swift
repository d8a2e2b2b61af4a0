import GRDB

/// The tables of migration "v2-webhooks": subscriptions and their delivery outbox. Part of a shipped migration:
/// change the schema with a new migration, never here.
enum WebhookSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "webhook") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("url", .text).notNull()
            /// JSON array of event names.
            t.column("events", .text).notNull()
            /// Kept as given: it is the HMAC key of every delivery, so it cannot be stored hashed.
            t.column("secret", .text)
            t.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "webhookDelivery") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("webhookId", .integer).notNull().references("webhook", onDelete: .cascade)
            t.column("event", .text).notNull()
            /// The exact JSON body that is sent (and signed).
            t.column("payload", .text).notNull()
            t.column("status", .text).notNull()
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("nextAttemptAt", .datetime)
            t.column("lastStatusCode", .integer)
            t.column("lastError", .text)
            t.column("createdAt", .datetime).notNull()
            t.column("deliveredAt", .datetime)
        }
        // The delivery worker's question, "oldest pending delivery of each webhook", and the delivery log.
        try db.create(index: "webhookDelivery_pending", on: "webhookDelivery", columns: ["status", "webhookId", "id"])
        try db.create(index: "webhookDelivery_log", on: "webhookDelivery", columns: ["webhookId", "id"])
    }
}
