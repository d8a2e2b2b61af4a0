import Foundation
import GRDB

extension Catalog {
    /// Every verification that finished in `[from, to]` with its version, oldest first (one package, or all).
    public func finishedJobs(from: Date, to: Date, packageKey: String? = nil) async throws -> [(job: VerificationJobRecord, version: VersionRecord)] {
        try await pool.read { db in
            var sql = """
                SELECT verificationJob.*, packageVersion.id AS vId FROM verificationJob
                JOIN packageVersion ON packageVersion.id = verificationJob.versionId
                WHERE verificationJob.finishedAt >= ? AND verificationJob.finishedAt <= ?
                """
            var arguments: StatementArguments = [from, to]
            if let packageKey {
                sql += " AND packageVersion.packageKey = ?"
                arguments += [packageKey]
            }
            sql += " ORDER BY verificationJob.finishedAt, verificationJob.id"
            let jobs = try VerificationJobRecord.fetchAll(db, sql: sql, arguments: arguments)
            let versions = try VersionRecord.fetchAll(db, keys: Set(jobs.map(\.versionId)))
            let byId = Dictionary(versions.compactMap { version in version.id.map { ($0, version) } }, uniquingKeysWith: { first, _ in first })
            return jobs.compactMap { job in byId[job.versionId].map { (job, $0) } }
        }
    }

    /// The newest passed verification that finished at or before `date`, per package.
    public func lastPassed(atOrBefore date: Date) async throws -> [String: (job: VerificationJobRecord, version: VersionRecord)] {
        try await pool.read { db in
            let jobs = try VerificationJobRecord.fetchAll(db, sql: """
                SELECT verificationJob.* FROM verificationJob
                WHERE status = 'passed' AND finishedAt <= ?
                ORDER BY finishedAt, id
                """, arguments: [date])
            let versions = try VersionRecord.fetchAll(db, keys: Set(jobs.map(\.versionId)))
            let byId = Dictionary(versions.compactMap { version in version.id.map { ($0, version) } }, uniquingKeysWith: { first, _ in first })
            var result: [String: (VerificationJobRecord, VersionRecord)] = [:]
            for job in jobs { if let version = byId[job.versionId] { result[version.packageKey] = (job, version) } }
            return result
        }
    }
}
