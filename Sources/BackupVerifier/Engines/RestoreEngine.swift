import Foundation
import Logging

/// The dump's bytes, streamed in order out of the archive (or a bare file) without extracting it to disk.
public protocol DumpSource: Sendable {
    /// The archive entry name, or the file name for a bare push.
    var name: String { get }
    var format: DumpFormat { get }
    /// Calls `consume` with each chunk in order; the buffer is only valid during the call.
    /// Throws when the archive is damaged (for example a CRC mismatch found at the end of the entry).
    func stream(_ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws
}

/// What a restore did, for the report.
public struct RestoreOutcome: Sendable {
    public var rewrites: [DumpRewrite]
    /// Notes worth a warning in the report (for example "skipped SET transaction_timeout: unknown to PostgreSQL 15").
    public var notes: [String]
    /// The end of the restore client's output, capped.
    public var log: String
    /// Set when the dump rightly holds no table (`pg_dumpall --globals-only`): what it held instead, which the
    /// report then says in place of a failed "no tables" check.
    public var withoutTables: String?

    public init(rewrites: [DumpRewrite] = [], notes: [String] = [], log: String = "", withoutTables: String? = nil) {
        self.rewrites = rewrites
        self.notes = notes
        self.log = log
        self.withoutTables = withoutTables
    }
}

/// Why an engine could not run or a restore did not succeed.
public enum EngineError: Error, Sendable, Equatable {
    /// The engine's programs are not installed: the verdict is `error`, the message names the package to install.
    case unavailable(String)
    /// The dump was rejected by the database: the backup is bad (verdict `failed`).
    case restoreFailed(String)
    /// The run exceeded its wall-clock limit; every process was killed.
    case timedOut(String)
    /// Something went wrong on our side (could not start the server, …): verdict `error`.
    case internalFailure(String)
}

/// A disposable database started for one verification run and removed after it.
public protocol DatabaseSandbox: Sendable {
    var engine: EngineInfo { get }
    /// Streams the dump into the fresh database through the restore client.
    func restore(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome
    /// User tables in the restored database, sorted by name.
    func tables() async throws -> [String]
    /// `SELECT count(*)` of one table; throws when the table cannot be read.
    func countRows(of table: String) async throws -> Int
    /// Runs a policy check's SQL and returns its single value as text (nil for SQL NULL).
    func scalar(_ sql: String) async throws -> String?
    /// Stops every process and removes every file of the sandbox. Safe to call twice; never throws.
    func tearDown() async
}

/// A database engine able to start disposable sandboxes.
public protocol RestoreEngine: Sendable {
    var name: String { get }
    /// Starts a fresh, empty database under `workDirectory` (which the caller removes afterwards too).
    func makeSandbox(database: String, workDirectory: URL, deadline: ContinuousClock.Instant, logger: Logger) async throws -> any DatabaseSandbox
}
