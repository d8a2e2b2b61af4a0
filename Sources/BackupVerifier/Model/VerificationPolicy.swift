import Foundation

/// Which engine restores a dump; `auto` picks by the detected dump format.
public enum EngineChoice: String, Codable, Sendable, CaseIterable {
    case auto, sqlite, mariadb, postgres
}

/// One SQL assertion of a policy: a query returning one value, and what that value must be.
public struct PolicyCheck: Codable, Sendable, Equatable {
    public var name: String
    public var sql: String
    /// `> 0`, `>= 10`, `== 3`, `!= 0`, `< 5`, `<= 5`.
    public var expect: String

    public init(name: String, sql: String, expect: String) {
        self.name = name
        self.sql = sql
        self.expect = expect
    }
}

/// How one package's versions are verified. Every field is optional in JSON; missing fields take the defaults.
public struct VerificationPolicy: Codable, Sendable, Equatable {
    public var engine: EngineChoice
    /// The entry in the archive that holds the dump; nil picks the single dump-like entry.
    public var dump: String?
    /// The database name to restore into (MariaDB/PostgreSQL).
    public var database: String?
    public var checks: [PolicyCheck]
    /// A table that lost more than this share of its rows since the last passed version fails the run.
    public var maxRowDropPercent: Double
    public var timeoutSeconds: Int
    public var enabled: Bool
    /// Bytes the run's sandbox (database files, temp files) may take; nil: the server's limit (64 GiB unless set).
    public var maxSandboxBytes: Int64?

    public static let `default` = VerificationPolicy()

    public init(
        engine: EngineChoice = .auto, dump: String? = nil, database: String? = nil, checks: [PolicyCheck] = [],
        maxRowDropPercent: Double = 50, timeoutSeconds: Int = 1800, enabled: Bool = true
    ) {
        self.engine = engine
        self.dump = dump
        self.database = database
        self.checks = checks
        self.maxRowDropPercent = maxRowDropPercent
        self.timeoutSeconds = timeoutSeconds
        self.enabled = enabled
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = VerificationPolicy()
        engine = try c.decodeIfPresent(EngineChoice.self, forKey: .engine) ?? defaults.engine
        dump = try c.decodeIfPresent(String.self, forKey: .dump)
        database = try c.decodeIfPresent(String.self, forKey: .database)
        checks = try c.decodeIfPresent([PolicyCheck].self, forKey: .checks) ?? defaults.checks
        maxRowDropPercent = try c.decodeIfPresent(Double.self, forKey: .maxRowDropPercent) ?? defaults.maxRowDropPercent
        timeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? defaults.timeoutSeconds
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? defaults.enabled
        maxSandboxBytes = try c.decodeIfPresent(Int64.self, forKey: .maxSandboxBytes)
    }
}
