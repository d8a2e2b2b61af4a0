import Foundation

/// What the server asks of the SQLite restore child (`backupfeed sqlite-child`), and what the child answers.
/// The child reads the dump (or a policy check's SQL) on stdin and prints one result line on stdout; the
/// server trusts nothing else the child does, and a child that dies without that line crashed.
public enum SQLiteChildMode: String, Sendable, CaseIterable {
    /// Restore a `sqlite3 .dump` read on stdin into a new database file, then list and count its tables.
    case restoreDump = "restore-dump"
    /// Check a database file (and its write-ahead log, when one lies beside it), then list and count its tables.
    case openFile = "open-file"
    /// Run one policy check's SQL (read on stdin) against a restored database.
    case query
}

/// The child's answer.
public struct SQLiteChildResult: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// Done; the tables (or the query's value) follow.
        case ok
        /// The dump is bad or did something refused: the backup's verdict is `failed`.
        case failed
        /// The deadline passed inside the child.
        case timedOut = "timed-out"
        /// SQLite could not get memory under the child's limit.
        case outOfMemory = "out-of-memory"
        /// Something on our side (the database file could not be created, …).
        case error
    }

    public struct Table: Codable, Sendable, Equatable {
        public var name: String
        public var rows: Int?
        /// Why `count(*)` failed (the table cannot be read), when it did.
        public var error: String?
    }

    public var outcome: Outcome
    public var message: String?
    public var statements = 0
    public var tables: [Table]?
    /// The query's first column of its first row, as text; nil for SQL NULL or no row.
    public var value: String?
    public var sqliteVersion = ""

    /// Marks the result line among whatever else the child printed.
    static let linePrefix = "backupfeed-sqlite-result: "
}

/// How the restore in the child ended early.
enum SQLiteRestoreFailure: Error, Equatable {
    case failed(String)
    case timedOut(String)
    case outOfMemory(String)
    case error(String)

    var outcome: SQLiteChildResult.Outcome {
        switch self {
        case .failed: .failed
        case .timedOut: .timedOut
        case .outOfMemory: .outOfMemory
        case .error: .error
        }
    }

    var message: String {
        switch self {
        case .failed(let m), .timedOut(let m), .outOfMemory(let m), .error(let m): m
        }
    }
}

/// Limits of the SQLite restore child.
public struct SQLiteLimits: Sendable, Equatable {
    /// The largest single statement of a dump; a larger one is refused (`failed`) before it is held whole.
    public var maxStatementBytes: Int
    /// The child's address space (RLIMIT_AS). SQLite's own heap is held to half of it, so that SQLite reports
    /// "out of memory" cleanly before the process itself runs out.
    public var addressSpaceBytes: UInt64

    public init(maxStatementBytes: Int = 64 << 20, addressSpaceBytes: UInt64 = 4 << 30) {
        self.maxStatementBytes = maxStatementBytes
        self.addressSpaceBytes = addressSpaceBytes
    }

    var heapBytes: UInt64 { addressSpaceBytes / 2 }
}
