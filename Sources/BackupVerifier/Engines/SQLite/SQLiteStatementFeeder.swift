import Foundation

/// Cuts a streamed SQLite dump into whole statements and runs each as soon as it is complete, like
/// `sqlite3 -bail` does, so the dump never has to fit in memory. `SQLiteCompletionScanner` finds the ends in
/// one linear pass; a statement larger than `maxStatementBytes` is refused before it is held in memory whole.
struct SQLiteStatementFeeder {
    let maxStatementBytes: Int
    private var scanner = SQLiteCompletionScanner()
    private var pending: [UInt8] = []
    private(set) var executed = 0

    init(maxStatementBytes: Int) { self.maxStatementBytes = maxStatementBytes }

    /// Feeds one chunk, running every statement it completes. Throws the first failing statement's error.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, into connection: SQLiteConnection) throws(SQLiteRestoreFailure) {
        var ends: [(end: Int, startLine: Int)] = []
        scanner.feed(bytes) { end, startLine in ends.append((end, startLine)) }
        var offset = 0
        for (end, line) in ends {
            try append(bytes[offset..<end], line: line)
            offset = end
            try run(connection, line: line)
        }
        try append(bytes[offset...], line: scanner.statementLine ?? scanner.line)
        if pending.allSatisfy(Self.isBlank) { pending.removeAll(keepingCapacity: true) }
    }

    private mutating func append(_ bytes: Slice<UnsafeRawBufferPointer>, line: Int) throws(SQLiteRestoreFailure) {
        guard pending.count + bytes.count <= maxStatementBytes else {
            throw .failed(
                "statement at line \(line) is larger than \(ByteCount.text(UInt64(maxStatementBytes))), the limit on one statement "
                    + "(\(ByteCount.text(UInt64(pending.count + bytes.count))) read and not yet ended)")
        }
        pending.append(contentsOf: bytes)
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D || byte == 0x20 || byte == 0x09 }

    /// Runs what is left at the end of the dump; text cut inside a statement, string or comment is a truncation.
    mutating func finish(into connection: SQLiteConnection) throws(SQLiteRestoreFailure) {
        switch scanner.finish() {
        case .clean:
            pending = []
        case .unfinished(let line):
            throw .failed("dump ends in the middle of a statement at line \(line): truncated")
        }
    }

    private mutating func run(_ connection: SQLiteConnection, line: Int) throws(SQLiteRestoreFailure) {
        let sql = pending
        pending.removeAll(keepingCapacity: true)
        let keyword = Self.keyword(of: String(decoding: sql.prefix(1024), as: UTF8.self))
        if sql.contains(0) {
            // SQLite reads SQL text up to the first NUL: the rest of the statement would be silently dropped.
            throw .failed("statement at line \(line) (\(keyword)) contains a NUL byte, which SQL text cannot hold")
        }
        do {
            try connection.execute(bytes: sql)
            executed += 1
        } catch .timedOut {
            throw .timedOut("the restore did not finish before the deadline (statement at line \(line))")
        } catch .outOfMemory {
            throw .outOfMemory("statement at line \(line) (\(keyword))")
        } catch let failure {
            throw .failed("statement at line \(line) (\(keyword)) failed: \(failure.message)")
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
