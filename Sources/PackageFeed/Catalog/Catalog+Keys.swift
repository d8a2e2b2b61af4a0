import Foundation
import GRDB

extension Catalog {
    func insertKey(_ record: APIKeyRecord) async throws -> APIKeyRecord {
        try await pool.write { db in
            if try APIKeyRecord.filter(Column("name") == record.name).fetchCount(db) > 0 {
                throw FeedError.badRequest("an API key named '\(record.name)' already exists")
            }
            var record = record
            try record.insert(db)
            return record
        }
    }

    public func keys() async throws -> [APIKeyRecord] {
        try await pool.read { db in try APIKeyRecord.order(Column("name")).fetchAll(db) }
    }

    public func keyCount() async throws -> Int {
        try await pool.read { db in try APIKeyRecord.fetchCount(db) }
    }

    /// Removes a key by name; false when there was none.
    public func revokeKey(name: String) async throws -> Bool {
        try await pool.write { db in try APIKeyRecord.filter(Column("name") == name).deleteAll(db) > 0 }
    }

    func key(hash: String) async throws -> APIKeyRecord? {
        try await pool.read { db in try APIKeyRecord.filter(Column("keyHash") == hash).fetchOne(db) }
    }

    func touchKey(id: Int64, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE apiKey SET lastUsedAt = ? WHERE id = ?", arguments: [date, id])
        }
    }
}
