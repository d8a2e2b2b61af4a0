import Foundation
import GRDB

/// How a push treats a version that already exists (Octopus's `overwriteMode`).
public enum OverwriteMode: String, Sendable, CaseIterable {
    case failIfExists = "FailIfExists"
    case overwriteExisting = "OverwriteExisting"
    case ignoreIfExists = "IgnoreIfExists"
}

/// What a push did.
public enum PublishOutcome: Sendable, Equatable {
    case created(VersionRecord)
    case replaced(VersionRecord)
    /// The version exists with these same bytes: nothing changed.
    case unchanged(VersionRecord)
    /// IgnoreIfExists: the first bytes are kept.
    case ignored(VersionRecord)

    public var record: VersionRecord {
        switch self {
        case .created(let r), .replaced(let r), .unchanged(let r), .ignored(let r): r
        }
    }
}

/// One row of the package list.
public struct PackageSummary: Sendable, Equatable {
    public var package: PackageRecord
    public var versionCount: Int
    public var totalSize: Int64
}

extension Catalog {
    /// Records a pushed version in one transaction while holding the single writer: `placeBlob` moves the
    /// bytes into the blob store inside that critical section so that no concurrent delete can remove a blob
    /// this version is about to point at. Returns the outcome and a blob that no version uses any more.
    func publish(
        id: PackageID, version: PackageVersion, filename: String, digest: BlobDigest, mode: OverwriteMode,
        placeBlob: @escaping @Sendable () throws -> Void, removeBlob: @escaping @Sendable (String) -> Void
    ) async throws -> PublishOutcome {
        try await pool.writeWithoutTransaction { db in
            var outcome: PublishOutcome?
            var orphan: String?
            try db.inTransaction {
                let now = Date()
                let existing = try VersionRecord
                    .filter(Column("packageKey") == id.key && Column("versionKey") == version.key)
                    .fetchOne(db)
                guard var existing else {
                    if try PackageRecord.fetchOne(db, key: id.key) == nil {
                        try PackageRecord(key: id.key, display: id.display, createdAt: now).insert(db)
                    }
                    try placeBlob()
                    var record = VersionRecord(
                        id: nil, packageKey: id.key, versionKey: version.key, version: version.original,
                        isPrerelease: version.isPrerelease, sha256: digest.sha256, sha1: digest.sha1,
                        size: digest.size, filename: filename, publishedAt: now
                    )
                    try record.insert(db)
                    try Self.enqueue(versionId: record.id!, at: now, db: db)
                    outcome = .created(record)
                    return .commit
                }
                if existing.sha256 == digest.sha256 {
                    outcome = .unchanged(existing)
                    return .commit
                }
                switch mode {
                case .failIfExists:
                    throw FeedError.versionExists(id.display, existing.version)
                case .ignoreIfExists:
                    outcome = .ignored(existing)
                case .overwriteExisting:
                    try placeBlob()
                    let previous = existing.sha256
                    existing.sha256 = digest.sha256
                    existing.sha1 = digest.sha1
                    existing.size = digest.size
                    existing.filename = filename
                    existing.version = version.original
                    existing.publishedAt = now
                    try existing.update(db)
                    // Old reports judged other bytes: start the history afresh.
                    try VerificationJobRecord.filter(Column("versionId") == existing.id!).deleteAll(db)
                    try Self.enqueue(versionId: existing.id!, at: now, db: db)
                    let stillUsed = try VersionRecord.filter(Column("sha256") == previous).fetchCount(db) > 0
                    orphan = stillUsed ? nil : previous
                    outcome = .replaced(existing)
                }
                return .commit
            }
            // Still holding the writer: no push can start pointing at this blob before it is gone.
            if let orphan { removeBlob(orphan) }
            return outcome!
        }
    }

    static func enqueue(versionId: Int64, at date: Date, db: Database) throws {
        var job = VerificationJobRecord.queued(versionId: versionId, at: date)
        try job.insert(db)
    }

    /// Deletes one version; returns its record and the blob it leaves unused (already removed via `removeBlob`).
    func deleteVersion(packageKey: String, versionKey: String, removeBlob: @escaping @Sendable (String) -> Void) async throws -> VersionRecord? {
        try await pool.writeWithoutTransaction { db in
            var deleted: VersionRecord?
            var orphan: String?
            try db.inTransaction {
                guard let record = try VersionRecord
                    .filter(Column("packageKey") == packageKey && Column("versionKey") == versionKey)
                    .fetchOne(db)
                else { return .commit }
                try record.delete(db)
                if try VersionRecord.filter(Column("packageKey") == packageKey).fetchCount(db) == 0 {
                    try PackageRecord.deleteOne(db, key: packageKey)
                }
                if try VersionRecord.filter(Column("sha256") == record.sha256).fetchCount(db) == 0 {
                    orphan = record.sha256
                }
                deleted = record
                return .commit
            }
            if let orphan { removeBlob(orphan) }
            return deleted
        }
    }

    public func package(key: String) async throws -> PackageRecord? {
        try await pool.read { db in try PackageRecord.fetchOne(db, key: key) }
    }

    /// Every version of a package, unordered: callers sort with `PackageVersion`'s ordering.
    public func versions(packageKey: String) async throws -> [VersionRecord] {
        try await pool.read { db in
            try VersionRecord.filter(Column("packageKey") == packageKey).fetchAll(db)
        }
    }

    public func version(packageKey: String, versionKey: String) async throws -> VersionRecord? {
        try await pool.read { db in
            try VersionRecord
                .filter(Column("packageKey") == packageKey && Column("versionKey") == versionKey)
                .fetchOne(db)
        }
    }

    public func version(id: Int64) async throws -> VersionRecord? {
        try await pool.read { db in try VersionRecord.fetchOne(db, key: id) }
    }

    /// Packages whose display name contains `filter` (case-insensitive), by name, with counts and sizes.
    public func packages(filter: String?, skip: Int, take: Int) async throws -> (items: [PackageSummary], total: Int) {
        try await pool.read { db in
            var request = PackageRecord.all()
            if let filter, !filter.isEmpty {
                // A substring test, not LIKE: SQLite refuses LIKE patterns over 50,000 bytes ("pattern too complex"),
                // which made a long filter a 500, and instr needs no escaping of % and _.
                request = request.filter(sql: "instr(key, ?) > 0", arguments: [filter.lowercased()])
            }
            let total = try request.fetchCount(db)
            let packages = try request.order(Column("key")).limit(take, offset: skip).fetchAll(db)
            let items = try packages.map { package in
                let row = try Row.fetchOne(
                    db, sql: "SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM packageVersion WHERE packageKey = ?",
                    arguments: [package.key]
                )!
                return PackageSummary(package: package, versionCount: row["n"], totalSize: row["bytes"])
            }
            return (items, total)
        }
    }
}

/// A version with its package and newest verification run, read together.
public struct ResolvedVersion: Sendable {
    public var package: PackageRecord
    public var version: VersionRecord
    public var latestJob: VerificationJobRecord?
}

extension Catalog {
    /// The highest release version (or, with `verified`, the highest version whose newest finished run passed), with its
    /// package and run, in one read: `latest` is what runbooks poll, so it costs one trip to the database.
    public func latest(packageKey: String, verified: Bool) async throws -> ResolvedVersion? {
        try await pool.read { db in
            guard let package = try PackageRecord.fetchOne(db, key: packageKey) else { return nil }
            let ordered = try VersionRecord.filter(Column("packageKey") == packageKey).fetchAll(db)
                .compactMap { record in record.parsedVersion.map { (record, $0) } }
                .filter { verified || !$0.1.isPrerelease }
                .sorted { $0.1 > $1.1 }
                .map(\.0)
            let jobs = try Self.latestJobs(
                db, versionIds: verified ? ordered.compactMap(\.id) : Array(ordered.prefix(1).compactMap(\.id)), finishedOnly: verified)
            let chosen = verified ? ordered.first { jobs[$0.id!]?.status == "passed" } : ordered.first
            return chosen.map { ResolvedVersion(package: package, version: $0, latestJob: jobs[$0.id!]) }
        }
    }
}
