import Foundation
import GRDBSQLite

/// A raw SQLite connection locked down for untrusted dumps. GRDB's `Database` is not used here because GRDB
/// installs its own authorizer, and ours must be the only one: it is what keeps a dump inside its file.
final class SQLiteConnection {
    /// What the C callbacks need: the deadline, and the last refusal so errors can say what was refused.
    final class Guard {
        var deadline: ContinuousClock.Instant
        var refused: String?
        var timedOut = false
        init(deadline: ContinuousClock.Instant) { self.deadline = deadline }
    }

    let handle: OpaquePointer
    private let guardBox: Guard
    private let unmanaged: Unmanaged<Guard>

    init(path: String, deadline: ContinuousClock.Instant) throws(EngineError) {
        var db: OpaquePointer?
        // NOMUTEX: the sandbox serialises access itself (one run, one lock), SQLite need not lock again per call.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_PRIVATECACHE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(rc)"
            sqlite3_close_v2(db)
            throw .internalFailure("cannot create the SQLite sandbox database: \(message)")
        }
        handle = db
        guardBox = Guard(deadline: deadline)
        unmanaged = Unmanaged.passRetained(guardBox)
        harden()
    }

    deinit {
        sqlite3_close_v2(handle)
        unmanaged.release()
    }

    /// ATTACH (and VACUUM INTO, which attaches its target internally) could write any path the process can
    /// write: refuse them twice, by limit and by authorizer. Extensions stay off; the deadline interrupts.
    private func harden() {
        sqlite3_limit(handle, SQLITE_LIMIT_ATTACHED, 0)
        sqlite3_enable_load_extension(handle, 0)
        let context = unmanaged.toOpaque()
        sqlite3_set_authorizer(handle, { context, action, arg1, _, _, _ in
            guard let context else { return SQLITE_DENY }
            let box = Unmanaged<Guard>.fromOpaque(context).takeUnretainedValue()
            if let reason = SQLiteConnection.refusal(action: action, arg1: arg1.map { String(cString: $0) }) {
                box.refused = reason
                return SQLITE_DENY
            }
            return SQLITE_OK
        }, context)
        sqlite3_progress_handler(handle, 20_000, { context in
            guard let context else { return 1 }
            let box = Unmanaged<Guard>.fromOpaque(context).takeUnretainedValue()
            if ContinuousClock.now >= box.deadline || Task.isCancelled {
                box.timedOut = true
                return 1
            }
            return 0
        }, context)
    }

    /// Why an action is refused, or nil to allow it.
    static func refusal(action: Int32, arg1: String?) -> String? {
        switch action {
        case SQLITE_ATTACH: return "ATTACH (and VACUUM INTO) is refused in the sandbox"
        case SQLITE_DETACH: return "DETACH is refused in the sandbox"
        case SQLITE_FUNCTION where arg1?.lowercased() == "load_extension": return "load_extension() is refused in the sandbox"
        case SQLITE_PRAGMA where ["temp_store_directory", "data_store_directory"].contains(arg1?.lowercased() ?? ""):
            return "PRAGMA \(arg1 ?? "") is refused in the sandbox"
        default: return nil
        }
    }

    /// Runs SQL text (one or more statements), throwing a message that says what went wrong.
    func execute(_ sql: String) throws(SQLiteFailure) {
        guardBox.refused = nil
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        if rc != SQLITE_OK { throw failure(rc, message.map { String(cString: $0) }) }
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

    var message: String {
        switch self {
        case .error(let text), .refused(let text): text
        case .timedOut: "interrupted: the run's deadline passed"
        }
    }
}
