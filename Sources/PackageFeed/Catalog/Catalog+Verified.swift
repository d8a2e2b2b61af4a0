import Foundation
import GRDB

extension Catalog {
    /// A package's versions whose newest *finished* run passed, newest first by version order: the same rule as
    /// `latest(verified: true)`, so that a queued re-verification does not hide a version that was proven.
    public func verifiedVersions(packageKey: String) async throws -> [VersionRecord] {
        try await pool.read { db in
            let ordered = try VersionRecord.filter(Column("packageKey") == packageKey).fetchAll(db)
                .compactMap { record in record.parsedVersion.map { (record, $0) } }
                .sorted { $0.1 > $1.1 }
                .map(\.0)
            let jobs = try Self.latestJobs(db, versionIds: ordered.compactMap(\.id), finishedOnly: true)
            return ordered.filter { jobs[$0.id!]?.status == "passed" }
        }
    }
}
