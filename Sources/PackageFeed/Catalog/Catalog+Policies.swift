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

    /// Every stored policy JSON by package key (the operations loop reads them all once a minute).
    public func allPolicyJSON() async throws -> [String: String] {
        try await pool.read { db in
            Dictionary(try PolicyRecord.fetchAll(db).map { ($0.packageKey, $0.json) }, uniquingKeysWith: { first, _ in first })
        }
    }
}
