import Foundation
import GRDBSQLite

#if canImport(Glibc)
import Glibc
#endif

/// The SQLite restore as it runs inside its own process (`backupfeed sqlite-child`, started by `SQLiteSandbox`
/// inside the OS sandbox). Whatever a dump makes libsqlite3 do, including crash, happens here and not in
/// the server; process-wide SQLite settings (heap limits) affect only this process.
public enum SQLiteChild {
    /// Runs one request and prints the result line; the return value is the process's exit status
    /// (0 whenever a result was printed, whatever its outcome).
    public static func main(mode: SQLiteChildMode, database: String, timeoutMilliseconds: Int, limits: SQLiteLimits) -> Int32 {
        let deadline = ContinuousClock.now + .milliseconds(max(0, timeoutMilliseconds))
        // Process-wide, which is why this never runs in the server: SQLite fails an allocation past this with
        // SQLITE_NOMEM ("out of memory") instead of the process dying at its address-space limit.
        sqlite3_hard_heap_limit64(Int64(clamping: limits.heapBytes))
        var result = SQLiteChildResult(outcome: .ok)
        result.sqliteVersion = SQLiteConnection.version
        do {
            switch mode {
            case .restoreDump:
                result.statements = try restoreDump(into: database, deadline: deadline, limits: limits)
                result.tables = try inspect(database, deadline: deadline)
            case .openFile:
                try checkIntegrity(of: database, deadline: deadline)
                result.tables = try inspect(database, deadline: deadline)
            case .query:
                result.value = try query(database, deadline: deadline)
            }
        } catch let failure as SQLiteRestoreFailure {
            result.outcome = failure.outcome
            result.message = failure.message
        } catch {
            result.outcome = .error
            result.message = "\(error)"
        }
        guard let json = try? JSONEncoder().encode(result) else { return 3 }
        FileHandle.standardOutput.write(Data((SQLiteChildResult.linePrefix + String(decoding: json, as: UTF8.self) + "\n").utf8))
        return 0
    }

    private static func restoreDump(into path: String, deadline: ContinuousClock.Instant, limits: SQLiteLimits) throws(SQLiteRestoreFailure) -> Int {
        let connection = try open(path, deadline: deadline, create: true, fastWrites: true)
        var feeder = SQLiteStatementFeeder(maxStatementBytes: limits.maxStatementBytes)
        let size = 256 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(0, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw .error("cannot read the dump from the server: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            try feeder.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: connection)
            if ContinuousClock.now >= deadline { throw .timedOut("the restore did not finish before the deadline") }
        }
        try feeder.finish(into: connection)
        return feeder.executed
    }

    private static func checkIntegrity(of path: String, deadline: ContinuousClock.Instant) throws(SQLiteRestoreFailure) {
        let connection = try open(path, deadline: deadline, create: false)
        let problems: [String]
        do {
            problems = try connection.rows("PRAGMA integrity_check(20)").compactMap { $0.first ?? nil }
        } catch .timedOut {
            throw .timedOut("PRAGMA integrity_check did not finish before the deadline")
        } catch .outOfMemory {
            throw .outOfMemory("PRAGMA integrity_check")
        } catch let failure {
            throw .failed("not a usable SQLite database: \(failure.message)")
        }
        guard problems == ["ok"] else { throw .failed("PRAGMA integrity_check: \(problems.prefix(3).joined(separator: "; "))") }
    }

    /// Tables and their row counts, read through a fresh connection as any reader of the restored file would:
    /// schema written straight into sqlite_schema (how .dump writes virtual tables) only takes effect on open.
    private static func inspect(_ path: String, deadline: ContinuousClock.Instant) throws(SQLiteRestoreFailure) -> [SQLiteChildResult.Table] {
        let connection = try open(path, deadline: deadline, create: false)
        let names: [String]
        do {
            names = try connection.rows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
                .compactMap { $0.first ?? nil }
        } catch let failure {
            throw map(failure, doing: "listing the tables")
        }
        var tables: [SQLiteChildResult.Table] = []
        for name in names {
            let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            do {
                let text = try connection.rows("SELECT count(*) FROM \(quoted)").first?.first ?? nil
                tables.append(SQLiteChildResult.Table(name: name, rows: text.flatMap { Int($0) }, error: text == nil ? "count(*) returned no number" : nil))
            } catch .timedOut {
                throw .timedOut("counting the rows of \(name) did not finish before the deadline")
            } catch .outOfMemory {
                throw .outOfMemory("counting the rows of \(name)")
            } catch let failure {
                tables.append(SQLiteChildResult.Table(name: name, rows: nil, error: failure.message))
            }
        }
        return tables
    }

    private static func query(_ path: String, deadline: ContinuousClock.Instant) throws(SQLiteRestoreFailure) -> String? {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let connection = try open(path, deadline: deadline, create: false)
        do {
            return try connection.rows(String(decoding: input, as: UTF8.self)).first?.first ?? nil
        } catch let failure {
            throw map(failure, doing: "the query")
        }
    }

    private static func open(_ path: String, deadline: ContinuousClock.Instant, create: Bool, fastWrites: Bool = false) throws(SQLiteRestoreFailure) -> SQLiteConnection {
        do {
            return try SQLiteConnection(path: path, deadline: deadline, create: create, fastWrites: fastWrites)
        } catch let failure {
            throw create ? .error(failure.message) : .failed("not a usable SQLite database: \(failure.message)")
        }
    }

    private static func map(_ failure: SQLiteFailure, doing what: String) -> SQLiteRestoreFailure {
        switch failure {
        case .timedOut: .timedOut("\(what) did not finish before the deadline")
        case .outOfMemory: .outOfMemory(what)
        case .error(let m), .refused(let m): .failed(m)
        }
    }
}
