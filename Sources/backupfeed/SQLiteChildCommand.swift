import ArgumentParser
import BackupVerifier
import Foundation

/// `backupfeed sqlite-child`: hidden; the server starts it inside the OS sandbox to restore one SQLite backup
/// (or run one policy check) away from its own process. Not meant to be run by hand.
struct SQLiteChildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sqlite-child",
        abstract: "Internal: the SQLite restore child process.",
        shouldDisplay: false)

    @Option var mode: String
    @Option var database: String
    /// The run's deadline in milliseconds since 1970 (wall-clock, so the time to start this process counts).
    @Option var deadlineMs: Int
    @Option var maxStatementBytes: Int
    @Option var addressSpaceBytes: UInt64

    func run() throws {
        guard let mode = SQLiteChildMode(rawValue: mode) else { throw ValidationError("unknown mode \(mode)") }
        let status = SQLiteChild.main(
            mode: mode, database: database, timeoutMilliseconds: deadlineMs - Int(Date().timeIntervalSince1970 * 1000),
            limits: SQLiteLimits(maxStatementBytes: maxStatementBytes, addressSpaceBytes: addressSpaceBytes))
        if status != 0 { throw ExitCode(status) }
    }
}
