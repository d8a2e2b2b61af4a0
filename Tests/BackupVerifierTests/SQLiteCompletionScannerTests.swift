import Foundation
import Testing
@testable import BackupVerifier

/// The incremental scanner must end statements exactly where sqlite3_complete would, whatever the chunking.
@Suite struct SQLiteCompletionScannerTests {
    /// The statements `text` is cut into (with their start lines), fed `chunk` bytes at a time.
    static func cut(_ text: String, chunk: Int) -> (statements: [String], lines: [Int], ending: SQLiteCompletionScanner.Ending) {
        let bytes = Array(text.utf8)
        var scanner = SQLiteCompletionScanner()
        var statements: [String] = []
        var lines: [Int] = []
        var start = 0
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            let base = offset
            bytes[offset..<end].withUnsafeBytes { buffer in
                scanner.feed(buffer) { stop, line in
                    statements.append(String(decoding: bytes[start..<(base + stop)], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                    lines.append(line)
                    start = base + stop
                }
            }
            offset = end
        }
        return (statements, lines, scanner.finish())
    }

    static let dump = """
        PRAGMA foreign_keys=OFF;
        -- a comment; with a semicolon
        CREATE TABLE "we;ird"(a TEXT DEFAULT 'x;y', [b;c] INT, `d;` INT);
        /* block; comment */ INSERT INTO "we;ird" VALUES('it''s; fine', 1, 2);
        CREATE TRIGGER tr AFTER INSERT ON "we;ird" BEGIN
          INSERT INTO log VALUES(1);
          UPDATE log SET a = 'end;';
        END;
        CREATE TEMP TRIGGER t2 AFTER DELETE ON x BEGIN DELETE FROM y; END;
        EXPLAIN CREATE TRIGGER t3 AFTER DELETE ON x BEGIN DELETE FROM y; END;
        CREATE TABLE endings(end_date, temp, trigger_name);
        SELECT 1 - -2 / 3;
        """

    @Test(arguments: [1, 2, 3, 7, 64, 100_000])
    func endsStatementsWhereSQLiteDoes(chunk: Int) {
        let (statements, lines, ending) = Self.cut(Self.dump, chunk: chunk)
        #expect(statements.count == 8, "\(statements)")
        #expect(lines == [1, 3, 4, 5, 9, 10, 11, 12])
        #expect(statements[3].hasPrefix("CREATE TRIGGER tr") && statements[3].hasSuffix("END;"))
        #expect(statements[4].hasPrefix("CREATE TEMP TRIGGER t2") && statements[4].hasSuffix("END;"))
        #expect(statements[5].hasPrefix("EXPLAIN CREATE TRIGGER t3") && statements[5].hasSuffix("END;"))
        #expect(statements[6] == "CREATE TABLE endings(end_date, temp, trigger_name);")
        #expect(ending == .clean)
    }

    @Test func startLinesSkipLeadingComments() {
        let (_, lines, _) = Self.cut(Self.dump, chunk: 5)
        #expect(lines == [1, 3, 4, 5, 9, 10, 11, 12])
    }

    @Test(arguments: [
        ("CREATE TABLE t(a);\nINSERT INTO t VALUES('abc", 2),
        ("CREATE TABLE t(a);\n/* never closed\n", 2),
        ("CREATE TABLE t(a);\nCREATE TRIGGER x AFTER INSERT ON t BEGIN\nSELECT 1;\n", 2),
        ("CREATE TABLE t(a);\n\nINSERT INTO t VALUES(1)", 3),
    ])
    func truncationIsFound(text: String, line: Int) {
        #expect(Self.cut(text, chunk: 4).ending == .unfinished(line: line))
    }

    @Test func trailingCommentsAreClean() {
        #expect(Self.cut("CREATE TABLE t(a);\n-- the end\n", chunk: 3).ending == .clean)
        #expect(Self.cut("CREATE TABLE t(a);\n-- no newline", chunk: 3).ending == .clean)
        #expect(Self.cut("CREATE TABLE t(a);\n/* done */\n", chunk: 3).ending == .clean)
    }
}
