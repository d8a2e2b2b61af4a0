import BackupVerifier
import Foundation
import PackageFeed

/// One verification run as the API shows it: the job's state plus, once it ended, the whole report.
struct VerificationReportResponse: Codable, Sendable {
    struct Table: Codable, Sendable {
        var name: String
        var rows: Int
        /// Rows in the last passed version before this one, when there is one.
        var previousRows: Int?
    }

    var id: Int64
    var status: String
    var packageId: String
    var version: String
    var queuedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var summary: String?
    var engine: EngineInfo?
    var format: String?
    var dumpEntry: String?
    var layers: [String]
    /// The name of the stored decryption identity that opened an encrypted backup.
    var decryptedBy: String?
    var dumpTool: String?
    var sourceServer: String?
    var checks: [CheckResult]
    var tables: [Table]
    /// Seconds per stage, and `total`.
    var timings: [String: Double]
    var mappings: [DumpRewrite]
    var logExcerpt: String

    init(job: VerificationJobRecord, version: VersionRecord, display: String, previous: VerificationReport?) {
        id = job.id ?? 0
        status = job.status
        packageId = display
        self.version = version.version
        queuedAt = job.queuedAt
        startedAt = job.startedAt
        finishedAt = job.finishedAt
        summary = job.summary
        let report = job.report.flatMap { try? JSONDecoder.reports.decode(VerificationReport.self, from: Data($0.utf8)) }
        engine = report?.engine
        format = report?.format
        dumpEntry = report?.dumpEntry
        layers = report?.layers ?? []
        decryptedBy = report?.decryptedBy
        dumpTool = report?.dumpTool
        sourceServer = report?.sourceServer
        checks = report?.checks ?? []
        let previousRows = Dictionary((previous?.tables ?? []).map { ($0.name, $0.rows) }, uniquingKeysWith: { first, _ in first })
        tables = (report?.tables ?? []).map { Table(name: $0.name, rows: $0.rows, previousRows: previousRows[$0.name]) }
        var timings: [String: Double] = [:]
        for timing in report?.timings ?? [] { timings[timing.stage, default: 0] += timing.seconds }
        if let report { timings["total"] = report.totalSeconds }
        self.timings = timings
        mappings = report?.mappings ?? []
        logExcerpt = report?.logExcerpt ?? ""
    }
}
