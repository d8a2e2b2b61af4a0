import Foundation
import Logging

/// Restores SQLite dumps and database files in-process, into a fresh file per run. Needs nothing installed.
public struct SQLiteEngine: RestoreEngine {
    public let name = "sqlite"

    public init() {}

    public func makeSandbox(
        database: String, workDirectory: URL, deadline: ContinuousClock.Instant, logger: Logger
    ) async throws -> any DatabaseSandbox {
        let directory = workDirectory.appendingPathComponent("sqlite-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EngineError.internalFailure("cannot create the SQLite sandbox directory: \(error.localizedDescription)")
        }
        return SQLiteSandbox(directory: directory, deadline: deadline, logger: logger)
    }
}

/// One disposable SQLite database. The connection is used by one pipeline run at a time; the lock makes the
/// occasional overlap (teardown racing a timed-out restore) safe.
final class SQLiteSandbox: DatabaseSandbox, @unchecked Sendable {
    let engine = EngineInfo(name: "sqlite", version: SQLiteConnection.version)
    let directory: URL
    private let deadline: ContinuousClock.Instant
    private let logger: Logger
    private let lock = NSLock()
    private var connection: SQLiteConnection?
    private var removed = false

    init(directory: URL, deadline: ContinuousClock.Instant, logger: Logger) {
        self.directory = directory
        self.deadline = deadline
        self.logger = logger
    }

    private var databasePath: String { directory.appendingPathComponent("restore.db").path }

    func restore(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        switch source.format {
        case .sqliteDump: return try await restoreDump(source, deadline: min(deadline, self.deadline))
        case .sqliteFile: return try await restoreFile(source, deadline: min(deadline, self.deadline))
        default:
            throw EngineError.restoreFailed("the SQLite engine cannot restore a \(source.format.rawValue); choose the matching engine")
        }
    }

    private func restoreDump(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        let connection = try withConnection(create: true, deadline: deadline) { $0 }
        // The sandbox file is thrown away afterwards: durability only costs time.
        locked { try? connection.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;") }
        var feeder = SQLiteStatementFeeder()
        try await source.stream { chunk in
            try locked { try feeder.feed(chunk, into: connection) }
            if ContinuousClock.now >= deadline { throw EngineError.timedOut("the restore did not finish before the deadline") }
        }
        try locked { try feeder.finish(into: connection) }
        // Inspect through a fresh connection, as any reader of the restored file would: schema written directly
        // into sqlite_schema (how .dump writes virtual tables) only takes effect on open.
        locked { self.connection = nil }
        logger.debug("sqlite dump restored", metadata: ["statements": "\(feeder.executed)"])
        return RestoreOutcome(log: "executed \(feeder.executed) statements")
    }

    private func restoreFile(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        guard FileManager.default.createFile(atPath: databasePath, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: databasePath) else {
            throw EngineError.internalFailure("cannot create \(databasePath)")
        }
        do {
            defer { try? handle.close() }
            try await source.stream { chunk in
                try handle.write(contentsOf: chunk)
                if ContinuousClock.now >= deadline { throw EngineError.timedOut("copying the database file did not finish before the deadline") }
            }
        }
        let problems: [String] = try withConnection(create: false, deadline: deadline) { connection in
            // A hostile file's views and triggers must not call functions with side effects.
            try? connection.execute("PRAGMA trusted_schema=OFF;")
            do {
                return try connection.rows("PRAGMA integrity_check(20)").compactMap { $0.first ?? nil }
            } catch SQLiteFailure.timedOut {
                throw EngineError.timedOut("PRAGMA integrity_check did not finish before the deadline")
            } catch let failure as SQLiteFailure {
                throw EngineError.restoreFailed("not a usable SQLite database: \(failure.message)")
            }
        }
        guard problems == ["ok"] else {
            throw EngineError.restoreFailed("PRAGMA integrity_check: \(problems.prefix(3).joined(separator: "; "))")
        }
        return RestoreOutcome(log: "PRAGMA integrity_check: ok")
    }

    func tables() async throws -> [String] {
        try query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
            .compactMap { $0.first ?? nil }
    }

    func countRows(of table: String) async throws -> Int {
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        guard let text = try query("SELECT count(*) FROM \(quoted)").first?.first ?? nil, let count = Int(text) else {
            throw EngineError.restoreFailed("count(*) of \(table) returned no number")
        }
        return count
    }

    func scalar(_ sql: String) async throws -> String? {
        try query(sql).first?.first ?? nil
    }

    func tearDown() async {
        lock.withLock {
            connection = nil
            if !removed {
                removed = true
                do {
                    try FileManager.default.removeItem(at: directory)
                } catch {
                    logger.warning("cannot remove SQLite sandbox", metadata: ["path": "\(directory.path)", "error": "\(error)"])
                }
            }
        }
    }

    private func query(_ sql: String) throws -> [[String?]] {
        try withConnection(create: false, deadline: deadline) { connection in
            do {
                return try connection.rows(sql)
            } catch SQLiteFailure.timedOut {
                throw EngineError.timedOut("query did not finish before the deadline")
            } catch let failure as SQLiteFailure {
                throw EngineError.restoreFailed(failure.message)
            }
        }
    }

    /// Synchronous on purpose: NSLock must not be held across a suspension point.
    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Opens the sandbox database on first use and runs `body` under the lock.
    private func withConnection<T>(
        create: Bool, deadline: ContinuousClock.Instant, _ body: (SQLiteConnection) throws -> T
    ) throws -> T {
        try lock.withLock {
            if removed { throw EngineError.internalFailure("the SQLite sandbox was already torn down") }
            if connection == nil {
                if !create, !FileManager.default.fileExists(atPath: databasePath) {
                    throw EngineError.internalFailure("nothing was restored into the SQLite sandbox")
                }
                connection = try SQLiteConnection(path: databasePath, deadline: deadline)
            }
            return try body(connection!)
        }
    }
}
