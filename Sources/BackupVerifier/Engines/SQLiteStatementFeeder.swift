import Foundation
import GRDBSQLite

/// Cuts a streamed SQLite dump into whole statements and runs each as soon as it is complete, like
/// `sqlite3 -bail` does, so the dump never has to fit in memory. The lexer says where a statement may end
/// (a `;` outside quotes and comments); sqlite3_complete confirms it (it knows `CREATE TRIGGER … END;`).
struct SQLiteStatementFeeder {
    private var lexer = StatementLexer(dialect: .sqlite)
    private var pending: [UInt8] = []
    private var startLine = 1
    /// True until the current statement's first terminator was seen (its start line is then known).
    private var needsStart = true
    private(set) var executed = 0

    /// Feeds one chunk, running every statement it completes. Throws the first failing statement's error.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, into connection: SQLiteConnection) throws(EngineError) {
        var ends: [(end: Int, startLine: Int)] = []
        lexer.feed(bytes) { end, startLine in ends.append((end, startLine)) }
        var offset = 0
        for (end, line) in ends {
            if needsStart { startLine = line; needsStart = false }
            pending.append(contentsOf: bytes[offset..<end])
            offset = end
            if isComplete() { try run(connection) }
        }
        pending.append(contentsOf: bytes[offset...])
        if pending.allSatisfy(Self.isBlank) { pending.removeAll(keepingCapacity: true) }
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D || byte == 0x20 || byte == 0x09 }

    /// Runs what is left at the end of the dump (text after the last `;` that is not only comments).
    mutating func finish(into connection: SQLiteConnection) throws(EngineError) {
        guard !pending.isEmpty else { return }
        let rest = String(decoding: pending, as: UTF8.self)
        if isComplete() || rest.allSatisfy({ $0.isWhitespace }) { try run(connection); return }
        if needsStart, lexer.unfinishedAt == nil {
            // Only comments follow the last statement (a trigger cut after an inner `;` has needsStart false).
            pending = []
            return
        }
        throw .restoreFailed("dump ends in the middle of a statement at line \(needsStart ? lexer.unfinishedAt ?? startLine : startLine): truncated")
    }

    private func isComplete() -> Bool {
        var text = pending
        text.append(0)
        return text.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { sqlite3_complete($0) != 0 }
        }
    }

    private mutating func run(_ connection: SQLiteConnection) throws(EngineError) {
        let sql = pending
        pending.removeAll(keepingCapacity: true)
        needsStart = true
        do {
            try connection.execute(bytes: sql)
            executed += 1
        } catch .timedOut {
            throw .timedOut("the restore did not finish before the deadline (statement at line \(startLine))")
        } catch let failure {
            let keyword = Self.keyword(of: String(decoding: sql.prefix(1024), as: UTF8.self))
            throw .restoreFailed("statement at line \(startLine) (\(keyword)) failed: \(failure.message)")
        }
    }

    /// The statement's first words, so an error names the kind of statement without quoting the dump's data.
    static func keyword(of text: String) -> String {
        // Comment lines before the statement belong to it as far as SQLite is concerned; skip them here.
        let sql = text.split(separator: "\n")
            .drop { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.allSatisfy(\.isWhitespace) }
            .joined(separator: "\n")
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ";" }).prefix(2)
        let first = words.first.map { $0.uppercased() } ?? ""
        if ["CREATE", "DROP", "ALTER", "VACUUM", "INSERT", "PRAGMA"].contains(first), words.count > 1 {
            let second = words[words.index(after: words.startIndex)].uppercased()
            if second.count <= 12, second.allSatisfy({ $0.isLetter }) { return "\(first) \(second)" }
        }
        return String(first.prefix(20))
    }
}
