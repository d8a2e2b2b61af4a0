import Foundation
import GRDB

extension Catalog {
    /// Queues a new verification run of a version.
    public func enqueueVerification(versionId: Int64) async throws -> VerificationJobRecord {
        try await pool.write { db in
            var job = VerificationJobRecord.queued(versionId: versionId)
            try job.insert(db)
            return job
        }
    }

    /// Takes the oldest queued job and marks it running, atomically, so two workers never take the same job.
    public func claimNextJob() async throws -> VerificationJobRecord? {
        try await pool.write { db in
            guard var job = try VerificationJobRecord
                .filter(Column("status") == "queued")
                .order(Column("queuedAt"), Column("id"))
                .fetchOne(db)
            else { return nil }
            job.status = "running"
            job.startedAt = Date()
            job.attempts += 1
            try job.update(db)
            return job
        }
    }

    /// Records the end of a run.
    public func finishJob(id: Int64, status: String, summary: String, report: String?) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE verificationJob SET status = ?, summary = ?, report = ?, finishedAt = ? WHERE id = ?",
                arguments: [status, summary, report, Date(), id]
            )
        }
    }

    /// Runs a job may start before it is given up on: a dump that crashes the server every time must not
    /// put it in a restart loop.
    public static let maxAttempts = 3

    /// After a restart: jobs that were running when the process stopped go back to the queue, unless they
    /// were already interrupted `maxAttempts` times, which end as `error` with a reason.
    @discardableResult
    public func requeueRunningJobs() async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE verificationJob SET status = 'error', finishedAt = ?,
                      summary = 'the server stopped during this verification ' || attempts || ' times; not retried again'
                    WHERE status = 'running' AND attempts >= ?
                    """,
                arguments: [Date(), Self.maxAttempts]
            )
            try db.execute(sql: "UPDATE verificationJob SET status = 'queued', startedAt = NULL WHERE status = 'running'")
            return db.changesCount
        }
    }

    public func job(id: Int64) async throws -> VerificationJobRecord? {
        try await pool.read { db in try VerificationJobRecord.fetchOne(db, key: id) }
    }

    /// The runs of one version, newest first.
    public func jobs(versionId: Int64) async throws -> [VerificationJobRecord] {
        try await pool.read { db in
            try VerificationJobRecord.filter(Column("versionId") == versionId)
                .order(Column("id").desc).fetchAll(db)
        }
    }

    /// The newest run of each of these versions.
    public func latestJobs(versionIds: [Int64]) async throws -> [Int64: VerificationJobRecord] {
        guard !versionIds.isEmpty else { return [:] }
        return try await pool.read { db in try Self.latestJobs(db, versionIds: versionIds) }
    }

    /// With `finishedOnly`, the newest run that reached a verdict: a re-verification waiting in the queue does not
    /// hide the verdict the version already has.
    static func latestJobs(_ db: Database, versionIds: [Int64], finishedOnly: Bool = false) throws -> [Int64: VerificationJobRecord] {
        guard !versionIds.isEmpty else { return [:] }
        let finished = finishedOnly ? "AND status IN ('passed', 'failed', 'error')" : ""
        let jobs = try VerificationJobRecord.fetchAll(
            db,
            sql: """
                SELECT * FROM verificationJob WHERE id IN (
                  SELECT max(id) FROM verificationJob WHERE versionId IN (\(versionIds.map { _ in "?" }.joined(separator: ","))) \(finished)
                  GROUP BY versionId)
                """,
            arguments: StatementArguments(versionIds)
        )
        return Dictionary(uniqueKeysWithValues: jobs.map { ($0.versionId, $0) })
    }

    /// The newest passed run among a package's versions other than `excludingVersionId`, with its version.
    public func lastPassedJob(packageKey: String, excludingVersionId: Int64) async throws -> (VerificationJobRecord, VersionRecord)? {
        try await pool.read { db in
            guard let job = try VerificationJobRecord.fetchOne(
                db,
                sql: """
                    SELECT j.* FROM verificationJob j JOIN packageVersion v ON v.id = j.versionId
                    WHERE v.packageKey = ? AND j.status = 'passed' AND j.versionId != ?
                    ORDER BY j.finishedAt DESC, j.id DESC LIMIT 1
                    """,
                arguments: [packageKey, excludingVersionId]
            ), let version = try VersionRecord.fetchOne(db, key: job.versionId)
            else { return nil }
            return (job, version)
        }
    }

    /// How many jobs wait in the queue.
    public func queuedJobCount() async throws -> Int {
        try await pool.read { db in try VerificationJobRecord.filter(Column("status") == "queued").fetchCount(db) }
    }
}

extension Catalog {
    /// Puts one running job back in the queue (its run was stopped by shutdown, not judged).
    public func requeueJob(id: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE verificationJob SET status = 'queued', startedAt = NULL WHERE id = ?", arguments: [id])
        }
    }

    /// When each package last had a version pass verification.
    public func lastPassedAt(packageKeys: [String]) async throws -> [String: Date] {
        guard !packageKeys.isEmpty else { return [:] }
        return try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT v.packageKey AS packageKey, max(j.finishedAt) AS finishedAt FROM verificationJob j
                    JOIN packageVersion v ON v.id = j.versionId
                    WHERE j.status = 'passed' AND v.packageKey IN (\(packageKeys.map { _ in "?" }.joined(separator: ",")))
                    GROUP BY v.packageKey
                    """,
                arguments: StatementArguments(packageKeys)
            )
            var result: [String: Date] = [:]
            for row in rows {
                if let date: Date = row["finishedAt"] { result[row["packageKey"]] = date }
            }
            return result
        }
    }
}

extension Catalog {
    /// Drops a job that will not run (verification disabled by the package's policy).
    public func deleteJob(id: Int64) async throws {
        try await pool.write { db in _ = try VerificationJobRecord.deleteOne(db, key: id) }
    }
}
