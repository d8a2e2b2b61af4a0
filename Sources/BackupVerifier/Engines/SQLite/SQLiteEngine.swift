import Foundation
import Logging

/// Restores SQLite dumps and database files in a child process (`backupfeed sqlite-child`) inside the OS
/// sandbox, never in the server's process: a crafted dump can crash libsqlite3 or change process-wide SQLite
/// settings, and either must cost one run (`error`), not the server.
public struct SQLiteEngine: RestoreEngine {
    public let name = "sqlite"
    /// The `backupfeed` executable that runs the child; nil when none was found (the engine then answers `error`).
    public let helper: URL?
    /// The OS sandbox and limits the child gets (the same rule as MariaDB and PostgreSQL).
    public let sandbox: SandboxSettings
    public let limits: SQLiteLimits

    public init(helper: URL? = SQLiteHelperExecutable.locate(), sandbox: SandboxSettings = SandboxSettings(), limits: SQLiteLimits = SQLiteLimits()) {
        self.helper = helper
        self.sandbox = sandbox
        self.limits = limits
    }

    public func makeSandbox(
        database: String, workDirectory: URL, deadline: ContinuousClock.Instant, logger: Logger
    ) async throws -> any DatabaseSandbox {
        guard let helper, FileManager.default.isExecutableFile(atPath: helper.path) else {
            throw EngineError.unavailable(
                "the SQLite restore runs in a child process of the backupfeed executable, and none was found"
                    + (helper.map { " at \($0.path)" } ?? "") + "; set \(SQLiteHelperExecutable.environmentVariable) to its path")
        }
        let user = try SandboxUser.resolve()
        let isolation = try await sandbox.isolation(for: user, engine: "SQLite")
        if case .unconfined(let reason) = isolation {
            logger.warning("SQLite restore runs without an OS sandbox (--unsafe-no-sandbox)", metadata: ["reason": "\(reason)"])
        }
        let directory = try SandboxDirectory.create(in: workDirectory, engine: "sqlite", user: user, isolation: isolation, limits: sandbox.limits)
        return SQLiteSandbox(helper: helper, directory: directory, limits: limits, deadline: deadline, logger: logger)
    }
}
