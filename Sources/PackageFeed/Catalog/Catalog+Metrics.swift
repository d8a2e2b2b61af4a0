import Foundation
import GRDB

/// What the metrics scrape reads from the catalog: one read per scrape, whatever the number of packages.
public struct CatalogGaugeReading: Sendable, Equatable {
    /// Jobs waiting in the queue (not those running).
    public var queuedJobs: Int
    /// Each package's display name with when its newest passed verification finished; packages that never
    /// passed are absent (a gauge of 0 would read as "verified in 1970").
    public var lastPassedAt: [String: Date]
}

extension Catalog {
    /// The queue depth and every package's newest passed verification, read together.
    public func gaugeReading() async throws -> CatalogGaugeReading {
        try await pool.read { db in
            let queued = try VerificationJobRecord.filter(Column("status") == "queued").fetchCount(db)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.display AS display, max(j.finishedAt) AS finishedAt FROM verificationJob j
                    JOIN packageVersion v ON v.id = j.versionId
                    JOIN package p ON p.key = v.packageKey
                    WHERE j.status = 'passed'
                    GROUP BY p.key
                    """
            )
            var lastPassed: [String: Date] = [:]
            for row in rows {
                if let date: Date = row["finishedAt"] { lastPassed[row["display"]] = date }
            }
            return CatalogGaugeReading(queuedJobs: queued, lastPassedAt: lastPassed)
        }
    }
}
