import BackupVerifier
import Foundation

/// The in-toto Statement v1 a receipt signs: the backup file (name and SHA-256) as its subject, and what the
/// restore proved as its predicate. Everything an auditor needs without trusting the server's database.
public struct RestoreReceiptStatement: Codable, Sendable, Equatable {
    public struct Subject: Codable, Sendable, Equatable {
        public var name: String
        public var digest: [String: String]
    }

    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        public var status: String
        public var reason: String
    }

    public struct Table: Codable, Sendable, Equatable {
        public var name: String
        public var rows: Int
    }

    public struct Predicate: Codable, Sendable, Equatable {
        public var package: String
        public var version: String
        public var verificationId: Int64
        public var verdict: String
        public var summary: String
        public var checks: [Check]
        public var tables: [Table]
        public var engine: String?
        public var engineVersion: String?
        public var worker: String
        public var timings: [String: Double]
        public var totalSeconds: Double
        public var startedAt: Date?
        public var finishedAt: Date
        /// The version whose last passed run the tables were compared with.
        public var comparedWith: String?
    }

    public var type: String
    public var subject: [Subject]
    public var predicateType: String
    public var predicate: Predicate

    enum CodingKeys: String, CodingKey {
        case type = "_type", subject, predicateType, predicate
    }

    public static let statementType = "https://in-toto.io/Statement/v1"
    public static let predicateTypeURI = "https://backupfeed.dev/restore-receipt/v1"

    public init(_ finished: FeedEvent.FinishedVerification) {
        type = Self.statementType
        subject = [Subject(name: finished.filename, digest: ["sha256": finished.sha256])]
        predicateType = Self.predicateTypeURI
        let report = finished.report
        predicate = Predicate(
            package: finished.packageId, version: finished.version, verificationId: finished.verificationId,
            verdict: report.verdict.rawValue, summary: report.summary,
            checks: report.checks.map { Check(name: $0.name, status: $0.status.rawValue, reason: $0.detail) },
            tables: report.tables.map { Table(name: $0.name, rows: $0.rows) },
            engine: report.engine?.name, engineVersion: report.engine?.version, worker: finished.worker,
            timings: Dictionary(report.timings.map { ($0.stage, $0.seconds) }, uniquingKeysWith: +),
            totalSeconds: report.totalSeconds, startedAt: finished.startedAt, finishedAt: finished.finishedAt,
            comparedWith: finished.comparedWith)
    }

    /// Canonical bytes: sorted keys, ISO 8601 dates, no escaped slashes.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(self))
    }

    public static func decode(_ bytes: [UInt8]) throws -> RestoreReceiptStatement {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(RestoreReceiptStatement.self, from: Data(bytes))
    }
}
