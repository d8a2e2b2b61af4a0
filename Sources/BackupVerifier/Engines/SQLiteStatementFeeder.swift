import GRDBSQLite

/// Cuts a streamed SQLite dump into whole statements and runs each as soon as it is complete, like
/// `sqlite3 -bail` does, so the dump never has to fit in memory. The lexer says where a statement may end
/// (a `;` outside quotes and comments); sqlite3_complete confirms it (it knows `CREATE TRIGGER … END;`).
struct SQLiteStatementFeeder {
    private var lexer = StatementLexer(dialect: .sqlite)
    private var pending: [UInt8] = []
    private var startLine = 1
    private(set) var executed = 0

    /// Feeds one chunk, running every statement it completes. Throws the first failing statement's error.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, into connection: SQLiteConnection) throws(EngineError) {
        for byte in bytes {
            let ended = lexer.statementsEnded
            if pending.isEmpty {
                // Skip blank space between statements so line numbers point at the statement itself.
                if byte == 0x0A || byte == 0x0D || byte == 0x20 || byte == 0x09 { lexer.feed(byte: byte); continue }
                startLine = lexer.line
            }
            pending.append(byte)
            lexer.feed(byte: byte)
            if lexer.statementsEnded != ended, isComplete() { try run(connection) }
        }
    }

    /// Runs what is left at the end of the dump (text after the last `;` that is not only comments).
    mutating func finish(into connection: SQLiteConnection) throws(EngineError) {
        guard !pending.isEmpty else { return }
        let rest = String(decoding: pending, as: UTF8.self)
        if isComplete() || rest.allSatisfy({ $0.isWhitespace }) { try run(connection); return }
        if lexer.unfinishedAt == nil, lexer.pendingSince == nil {
            // Only comments follow the last statement.
            pending = []
            return
        }
        throw .restoreFailed("dump ends in the middle of a statement at line \(startLine): truncated")
    }

    private func isComplete() -> Bool {
        var text = pending
        text.append(0)
        return text.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { sqlite3_complete($0) != 0 }
        }
    }

    private mutating func run(_ connection: SQLiteConnection) throws(EngineError) {
        let sql = String(decoding: pending, as: UTF8.self)
        pending = []
        do {
            try connection.execute(sql)
            executed += 1
        } catch .timedOut {
            throw .timedOut("the restore did not finish before the deadline (statement at line \(startLine))")
        } catch let failure {
            throw .restoreFailed("statement at line \(startLine) (\(Self.keyword(of: sql))) failed: \(failure.message)")
        }
    }

    /// The statement's first words, so an error names the kind of statement without quoting the dump's data.
    static func keyword(of sql: String) -> String {
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ";" }).prefix(2)
        let first = words.first.map { $0.uppercased() } ?? ""
        if ["CREATE", "DROP", "ALTER", "VACUUM", "INSERT", "PRAGMA"].contains(first), words.count > 1 {
            let second = words[words.index(after: words.startIndex)].uppercased()
            if second.count <= 12, second.allSatisfy({ $0.isLetter }) { return "\(first) \(second)" }
        }
        return String(first.prefix(20))
    }
}
