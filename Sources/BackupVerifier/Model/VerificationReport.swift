import Foundation

/// The outcome of one verification run: `failed` means the backup is bad, `error` means the verifier could not judge.
public enum Verdict: String, Codable, Sendable {
    case passed, failed, error
}

/// The status of one named check inside a report.
public enum CheckStatus: String, Codable, Sendable {
    case passed, warning, failed, error, skipped
}

/// One named check with a one-line reason a person can act on.
public struct CheckResult: Codable, Sendable, Equatable {
    public var name: String
    public var status: CheckStatus
    public var detail: String
    public var seconds: Double?

    public init(name: String, status: CheckStatus, detail: String, seconds: Double? = nil) {
        self.name = name
        self.status = status
        self.detail = detail
        self.seconds = seconds
    }
}

/// A table found after the restore, with its row count.
public struct TableCount: Codable, Sendable, Equatable {
    public var name: String
    public var rows: Int

    public init(name: String, rows: Int) {
        self.name = name
        self.rows = rows
    }
}

/// The engine that restored the dump.
public struct EngineInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
}

/// A rewrite made while streaming the dump into the engine (for example a MySQL 8 collation MariaDB lacks).
public struct DumpRewrite: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    public var occurrences: Int

    public init(from: String, to: String, occurrences: Int) {
        self.from = from
        self.to = to
        self.occurrences = occurrences
    }
}

/// The time one pipeline stage took.
public struct StageTiming: Codable, Sendable, Equatable {
    public var stage: String
    public var seconds: Double

    public init(stage: String, seconds: Double) {
        self.stage = stage
        self.seconds = seconds
    }
}

/// Everything one verification run found: the verdict, which check decided it, and the evidence.
public struct VerificationReport: Codable, Sendable, Equatable {
    public var verdict: Verdict
    /// One line: the deciding check's reason, or what passed.
    public var summary: String
    public var engine: EngineInfo?
    public var format: String?
    public var dumpEntry: String?
    /// The layers peeled to reach the dump, outermost first ("zip", "dump.tar.gz", "gzip", "tar", "toc.dat").
    public var layers: [String]
    /// The name of the stored decryption identity that opened an encrypted backup (never the key itself).
    public var decryptedBy: String?
    /// The tool and version that wrote the dump, from its header ("mysqldump 8.0.42", "pg_dump 17.5").
    public var dumpTool: String?
    /// The server the dump was taken from, where the dump names it ("MySQL 8.0.42", "PostgreSQL 17.5").
    public var sourceServer: String?
    public var checks: [CheckResult]
    public var tables: [TableCount]
    public var timings: [StageTiming]
    public var totalSeconds: Double
    public var mappings: [DumpRewrite]
    /// The end of the restore client's output, capped, never the dump itself.
    public var logExcerpt: String

    public init(
        verdict: Verdict, summary: String, engine: EngineInfo? = nil, format: String? = nil, dumpEntry: String? = nil,
        layers: [String] = [], decryptedBy: String? = nil, dumpTool: String? = nil, sourceServer: String? = nil, checks: [CheckResult] = [], tables: [TableCount] = [], timings: [StageTiming] = [], totalSeconds: Double = 0,
        mappings: [DumpRewrite] = [], logExcerpt: String = ""
    ) {
        self.verdict = verdict
        self.summary = summary
        self.engine = engine
        self.format = format
        self.dumpEntry = dumpEntry
        self.layers = layers
        self.decryptedBy = decryptedBy
        self.dumpTool = dumpTool
        self.sourceServer = sourceServer
        self.checks = checks
        self.tables = tables
        self.timings = timings
        self.totalSeconds = totalSeconds
        self.mappings = mappings
        self.logExcerpt = logExcerpt
    }

    /// Reports stored before a field existed decode with its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        verdict = try c.decode(Verdict.self, forKey: .verdict)
        summary = try c.decode(String.self, forKey: .summary)
        engine = try c.decodeIfPresent(EngineInfo.self, forKey: .engine)
        format = try c.decodeIfPresent(String.self, forKey: .format)
        dumpEntry = try c.decodeIfPresent(String.self, forKey: .dumpEntry)
        layers = try c.decodeIfPresent([String].self, forKey: .layers) ?? []
        decryptedBy = try c.decodeIfPresent(String.self, forKey: .decryptedBy)
        dumpTool = try c.decodeIfPresent(String.self, forKey: .dumpTool)
        sourceServer = try c.decodeIfPresent(String.self, forKey: .sourceServer)
        checks = try c.decodeIfPresent([CheckResult].self, forKey: .checks) ?? []
        tables = try c.decodeIfPresent([TableCount].self, forKey: .tables) ?? []
        timings = try c.decodeIfPresent([StageTiming].self, forKey: .timings) ?? []
        totalSeconds = try c.decodeIfPresent(Double.self, forKey: .totalSeconds) ?? 0
        mappings = try c.decodeIfPresent([DumpRewrite].self, forKey: .mappings) ?? []
        logExcerpt = try c.decodeIfPresent(String.self, forKey: .logExcerpt) ?? ""
    }
}
