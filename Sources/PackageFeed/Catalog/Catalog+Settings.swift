import Foundation
import GRDB

/// Small server-wide values that must outlive restarts (the installation's identity), one row per name.
enum SettingsSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "setting") { t in
            t.primaryKey("name", .text)
            t.column("value", .text).notNull()
        }
    }
}

extension Catalog {
    /// The GUID that identifies this installation to Octopus clients (`InstallationId` of the root document).
    /// Made on first use and kept, so that clients that cache per installation see the same server after a restart.
    public func installationId() async throws -> String {
        try await pool.write { db in
            if let existing = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE name = 'installationId'") {
                return existing
            }
            let made = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO setting (name, value) VALUES ('installationId', ?)", arguments: [made])
            return made
        }
    }
}
