import GRDB

/// The catalog schema, one migration per change; never edit a shipped migration.
enum CatalogMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-feed") { db in
            try db.create(table: "package") { t in
                t.primaryKey("key", .text)
                t.column("display", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "packageVersion") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("packageKey", .text).notNull().references("package", column: "key", onDelete: .cascade)
                t.column("versionKey", .text).notNull()
                t.column("version", .text).notNull()
                t.column("isPrerelease", .boolean).notNull()
                t.column("sha256", .text).notNull().indexed()
                t.column("sha1", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("filename", .text).notNull()
                t.column("publishedAt", .datetime).notNull()
                t.uniqueKey(["packageKey", "versionKey"])
            }
            try db.create(table: "apiKey") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("scope", .text).notNull()
                t.column("keyHash", .text).notNull().unique()
                t.column("createdAt", .datetime).notNull()
                t.column("lastUsedAt", .datetime)
            }
            try db.create(table: "verificationJob") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("versionId", .integer).notNull().references("packageVersion", onDelete: .cascade).indexed()
                t.column("status", .text).notNull().indexed()
                t.column("queuedAt", .datetime).notNull()
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
                t.column("summary", .text)
                t.column("report", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "policy") { t in
                t.primaryKey("packageKey", .text)
                t.column("json", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v2-webhooks") { db in
            try WebhookSchema.create(db)
        }
        migrator.registerMigration("v3-operations") { db in
            try OperationsSchema.create(db)
        }
        migrator.registerMigration("v4-settings") { db in
            try SettingsSchema.create(db)
        }
        migrator.registerMigration("v5-receipts") { db in
            try ReceiptSchema.create(db)
        }
        migrator.registerMigration("v6-arrivals") { db in
            try ArrivalSchema.create(db)
        }
        migrator.registerMigration("v7-channels") { db in
            // Every existing subscription is a plain webhook.
            try db.alter(table: "webhook") { t in t.add(column: "kind", .text).notNull().defaults(to: "webhook") }
        }
        return migrator
    }
}
