import Foundation
import GRDB

/// The last freshness state the operations loop saw for a package, so that `package.stale` fires once per
/// transition from fresh to stale and not on every check.
public struct PackageFreshnessRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "packageFreshness"
    public var packageKey: String
    public var stale: Bool
    public var changedAt: Date
}

enum OperationsSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "packageFreshness") { t in
            t.primaryKey("packageKey", .text).references("package", column: "key", onDelete: .cascade)
            t.column("stale", .boolean).notNull()
            t.column("changedAt", .datetime).notNull()
        }
    }
}

extension Catalog {
    /// Every package, by key.
    public func allPackages() async throws -> [PackageRecord] {
        try await pool.read { db in try PackageRecord.order(Column("key")).fetchAll(db) }
    }

    /// Records a package's freshness; returns true when it just turned stale (it was fresh or never recorded).
    public func recordFreshness(packageKey: String, stale: Bool, at date: Date = Date()) async throws -> Bool {
        try await pool.write { db in
            let previous = try PackageFreshnessRecord.fetchOne(db, key: packageKey)
            guard previous?.stale != stale else { return false }
            try PackageFreshnessRecord(packageKey: packageKey, stale: stale, changedAt: date).save(db)
            return stale
        }
    }

    /// Removes blobs no version uses. Runs while holding the catalog's single writer: a push places its blob and
    /// records its version inside one write transaction, so no blob of a push in progress can be taken for unused.
    /// `remove` gets the referenced set and returns what it removed.
    public func removeUnreferencedBlobs<Result: Sendable>(_ remove: @escaping @Sendable (Set<String>) throws -> Result) async throws -> Result {
        try await pool.write { db in
            let referenced = Set(try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM packageVersion"))
            return try remove(referenced)
        }
    }
}

extension Catalog {
    /// A package's versions with the newest finished run of each (what retention decides on).
    public func versionsWithVerdicts(packageKey: String) async throws -> [(version: VersionRecord, verdict: VerificationJobRecord?)] {
        try await pool.read { db in
            let versions = try VersionRecord.filter(Column("packageKey") == packageKey).fetchAll(db)
            let jobs = try Self.latestJobs(db, versionIds: versions.compactMap(\.id), finishedOnly: true)
            return versions.map { ($0, jobs[$0.id!]) }
        }
    }

    /// How many versions use each blob.
    public func blobUseCounts() async throws -> [String: Int] {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT sha256, count(*) AS n FROM packageVersion GROUP BY sha256") {
                counts[row["sha256"]] = row["n"]
            }
            return counts
        }
    }

    /// True when a version has a run waiting or in progress.
    public func hasPendingJob(versionId: Int64) async throws -> Bool {
        try await pool.read { db in
            try VerificationJobRecord
                .filter(Column("versionId") == versionId && ["queued", "running"].contains(Column("status")))
                .fetchCount(db) > 0
        }
    }
}
