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
    /// Read first: every client reads the root document, and only the very first read needs the writer.
    public func installationId() async throws -> String {
        let query = "SELECT value FROM setting WHERE name = 'installationId'"
        if let existing = try await pool.read({ db in try String.fetchOne(db, sql: query) }) { return existing }
        return try await pool.write { db in
            if let existing = try String.fetchOne(db, sql: query) { return existing }
            let made = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO setting (name, value) VALUES ('installationId', ?)", arguments: [made])
            return made
        }
    }
}
