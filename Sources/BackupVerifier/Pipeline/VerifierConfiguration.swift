import Foundation
import Logging

/// What a verifier needs besides the file: where sandboxes go, the archive limits and the engines.
public struct VerifierConfiguration: Sendable {
    /// Each run gets `workRoot/<run-id>/`, removed when the run ends; `SandboxJanitor` sweeps leftovers.
    public var workRoot: URL
    public var limits: ArchiveLimits
    /// The engines this build can use; a format whose engine is missing gets the verdict `error`.
    public var engines: [EngineChoice: any RestoreEngine]
    /// The disk limit and free-space floor watched during every run (a policy's `maxSandboxBytes` overrides the first).
    public var sandboxLimits: ResourceLimits

    public init(
        workRoot: URL, limits: ArchiveLimits = ArchiveLimits(), engines: [EngineChoice: any RestoreEngine],
        sandboxLimits: ResourceLimits = ResourceLimits()
    ) {
        self.workRoot = workRoot
        self.limits = limits
        self.engines = engines
        self.sandboxLimits = sandboxLimits
    }

    /// The engines of a normal installation: SQLite in a sandboxed child process of `sqliteHelper` (the
    /// `backupfeed` executable), MariaDB and PostgreSQL started on demand from template data directories kept
    /// under `workRoot/templates` (made once, copied per run).
    public static func standard(
        workRoot: URL, sandbox: SandboxSettings = SandboxSettings(), sqliteHelper: URL? = SQLiteHelperExecutable.locate(),
        sqliteLimits: SQLiteLimits = SQLiteLimits(), logger: Logger
    ) -> VerifierConfiguration {
        let templates = workRoot.appendingPathComponent("templates", isDirectory: true)
        return VerifierConfiguration(
            workRoot: workRoot,
            engines: [
                .sqlite: SQLiteEngine(helper: sqliteHelper, sandbox: sandbox, limits: sqliteLimits),
                .mariadb: MariaDBEngine(templateRoot: templates, sandbox: sandbox),
                .postgres: PostgresEngine(templateRoot: templates, sandbox: sandbox),
            ],
            sandboxLimits: sandbox.limits
        )
    }

    /// The engine `auto` picks for a format.
    public static func automaticEngine(for format: DumpFormat) -> EngineChoice {
        switch format {
        case .mysqlDump: .mariadb
        case .pgPlain, .pgCustom, .pgTar, .pgDirectory: .postgres
        case .sqliteDump, .sqliteFile: .sqlite
        }
    }

    /// The Debian package that provides an engine's programs, for "install …" reasons.
    static func package(for engine: EngineChoice) -> String {
        switch engine {
        case .mariadb: "mariadb-server (and mariadb-client)"
        case .postgres: "postgresql"
        case .sqlite, .auto: "nothing (SQLite restores run in a child process of backupfeed)"
        }
    }
}

/// The last passed run of the same package, to compare table presence and row counts with.
public struct PreviousRun: Sendable, Equatable {
    /// The version string as displayed ("2022.06.20").
    public var version: String
    public var report: VerificationReport

    public init(version: String, report: VerificationReport) {
        self.version = version
        self.report = report
    }
}
