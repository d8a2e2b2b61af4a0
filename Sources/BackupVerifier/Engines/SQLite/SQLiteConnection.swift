import CSQLiteConfig
import Foundation
import GRDBSQLite

/// A raw SQLite connection locked down for untrusted dumps, used only inside the SQLite restore child
/// (`backupfeed sqlite-child`), never in the server's process. GRDB's `Database` is not used here because GRDB
/// installs its own authorizer, and ours must be the only one: it is what keeps a dump inside its file.
final class SQLiteConnection {
    /// What the C callbacks need: the deadline, the last refusal (so errors can say what was refused) and
    /// whether defensive mode must change before the statement being prepared runs.
    final class Guard {
        var deadline: ContinuousClock.Instant
        var refused: String?
        var timedOut = false
        var handle: OpaquePointer?
        init(deadline: ContinuousClock.Instant) { self.deadline = deadline }
    }

    let handle: OpaquePointer
    private let guardBox: Guard
    private let unmanaged: Unmanaged<Guard>

    /// Opens (or, with `create`, creates) `path`. `fastWrites` turns off the rollback journal and syncing, for a
    /// restore into a file that is thrown away afterwards; it must happen before defensive mode forbids it.
    init(path: String, deadline: ContinuousClock.Instant, create: Bool, fastWrites: Bool = false) throws(SQLiteFailure) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_PRIVATECACHE
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(rc)"
            sqlite3_close_v2(db)
            throw .error("cannot open the database: \(message)")
        }
        handle = db
        guardBox = Guard(deadline: deadline)
        guardBox.handle = db
        unmanaged = Unmanaged.passRetained(guardBox)
        if fastWrites { _ = sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;", nil, nil, nil) }
        try harden()
    }

    deinit {
        sqlite3_close_v2(handle)
        unmanaged.release()
    }

    /// Every guard we can set per connection, each for a reason:
    /// - the two-argument `fts3_tokenizer()` off (Debian builds SQLite with it on): it takes a C pointer from SQL;
    /// - defensive mode on: no deliberate corruption of the file (except where `.dump` output needs it, see
    ///   `SQLiteAuthorizerPolicy`);
    /// - untrusted schema: views and triggers of the dump may only call harmless functions;
    /// - no extension loading, no attached databases (ATTACH and VACUUM INTO could write any path);
    /// - the authorizer (`SQLiteAuthorizerPolicy`) and the deadline, checked every few thousand VM steps.
    private func harden() throws(SQLiteFailure) {
        let settings: [(Int32, Int32, String)] = [
            (BACKUPFEED_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, "disable the FTS3 tokenizer function"),
            (BACKUPFEED_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, "disable extension loading"),
            (BACKUPFEED_DBCONFIG_DEFENSIVE, 1, "enable defensive mode"),
            (BACKUPFEED_DBCONFIG_TRUSTED_SCHEMA, 0, "turn trusted_schema off"),
        ]
        for (option, value, what) in settings where backupfeed_sqlite3_db_config_flag(handle, option, value) != value {
            throw .error("cannot \(what) in SQLite \(Self.version)")
        }
        sqlite3_limit(handle, SQLITE_LIMIT_ATTACHED, 0)
        sqlite3_enable_load_extension(handle, 0)
        let context = unmanaged.toOpaque()
        sqlite3_set_authorizer(handle, { context, action, arg1, arg2, _, _ in
            guard let context else { return SQLITE_DENY }
            let box = Unmanaged<Guard>.fromOpaque(context).takeUnretainedValue()
            switch SQLiteAuthorizerPolicy.decide(action: action, arg1: arg1.map { String(cString: $0) }, arg2: arg2.map { String(cString: $0) }) {
            case .allow:
                return SQLITE_OK
            case .refuse(let reason):
                box.refused = reason
                return SQLITE_DENY
            case .allowWithDefensive(let on):
                // The PRAGMA reads the defensive flag when it is compiled, which is right after this call.
                if let handle = box.handle {
                    _ = backupfeed_sqlite3_db_config_flag(handle, BACKUPFEED_DBCONFIG_DEFENSIVE, on ? 1 : 0)
                }
                return SQLITE_OK
            }
        }, context)
        sqlite3_progress_handler(handle, 10_000, { context in
            guard let context else { return 1 }
            let box = Unmanaged<Guard>.fromOpaque(context).takeUnretainedValue()
            if ContinuousClock.now >= box.deadline {
                box.timedOut = true
                return 1
            }
            return 0
        }, context)
    }

    /// Runs SQL text (one or more statements), throwing a message that says what went wrong.
    func execute(_ sql: String) throws(SQLiteFailure) {
        try execute(bytes: Array(sql.utf8))
    }

    /// Runs SQL given as raw bytes: the dump's text goes to SQLite exactly as written, even where it is not valid
    /// UTF-8 (a Swift String would replace such bytes and change the data).
    func execute(bytes: [UInt8]) throws(SQLiteFailure) {
        guardBox.refused = nil
        var text = bytes
        text.append(0)
        var message: UnsafeMutablePointer<CChar>?
        let rc = text.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { sqlite3_exec(handle, $0, nil, nil, &message) }
        }
        defer { sqlite3_free(message) }
        if rc != SQLITE_OK { throw failure(rc, message.map { String(cString: $0) }) }
    }

    /// Every row of a query, each column as text (nil for NULL).
    func rows(_ sql: String) throws(SQLiteFailure) -> [[String?]] {
        guardBox.refused = nil
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw failure(rc, nil)
        }
        defer { sqlite3_finalize(statement) }
        var result: [[String?]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return result }
            guard step == SQLITE_ROW else { throw failure(step, nil) }
            let columns = sqlite3_column_count(statement)
            result.append((0..<columns).map { column in
                sqlite3_column_text(statement, column).map { String(cString: $0) }
            })
        }
    }

    private func failure(_ rc: Int32, _ message: String?) -> SQLiteFailure {
        if guardBox.timedOut || rc == SQLITE_INTERRUPT { return .timedOut }
        if rc & 0xFF == SQLITE_NOMEM { return .outOfMemory }
        let text = message ?? String(cString: sqlite3_errmsg(handle))
        if let refused = guardBox.refused { return .refused("\(text): \(refused)") }
        return .error(text)
    }

    static var version: String { String(cString: sqlite3_libversion()) }
}

/// How one SQLite call failed.
enum SQLiteFailure: Error, Equatable {
    case error(String)
    case refused(String)
    case timedOut
    case outOfMemory

    var message: String {
        switch self {
        case .error(let text), .refused(let text): text
        case .timedOut: "interrupted: the run's deadline passed"
        case .outOfMemory: "out of memory"
        }
    }
}
