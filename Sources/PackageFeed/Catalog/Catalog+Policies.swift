import Foundation
import GRDB

extension Catalog {
    /// The stored policy JSON of a package, or nil for the default policy.
    public func policyJSON(packageKey: String) async throws -> String? {
        try await pool.read { db in try PolicyRecord.fetchOne(db, key: packageKey)?.json }
    }

    public func setPolicyJSON(_ json: String, packageKey: String) async throws {
        try await pool.write { db in
            try PolicyRecord(packageKey: packageKey, json: json, updatedAt: Date()).save(db)
        }
    }
}
