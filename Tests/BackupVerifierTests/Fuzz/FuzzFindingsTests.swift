import Foundation
import Testing

@testable import BackupVerifier

/// Every input the fuzzer (scripts/fuzz.sh) ever stopped on, and the hand-made seeds, replayed through the same
/// properties it checks (`DumpInvariants`); then what each finding was, as a plain expectation.
struct FuzzFindingsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures", isDirectory: true)

    static var replayed: [String] {
        ["fuzz-findings", "fuzz-seeds"].flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent(folder).path)) ?? [])
                .sorted().map { "\(folder)/\($0)" }
        }
    }

    @Test func findingsAndSeedsAreThere() {
        #expect(Self.replayed.filter { $0.hasPrefix("fuzz-findings/") }.count >= 2)
        #expect(Self.replayed.filter { $0.hasPrefix("fuzz-seeds/") }.count >= 4)
    }

    @Test(arguments: replayed)
    func everyPropertyHolds(name: String) throws {
        let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
        let violations = bytes.withUnsafeBytes { DumpInvariants.violations(of: $0) }
        #expect(violations.isEmpty, "\(name): \(violations.joined(separator: "\n"))")
    }

    /// Finding 1: the DEFINER pattern took `'a\'` for a whole account name, and removing `DEFINER='a\'@'%' ` closed
    /// the string that hid `\e` from the client. An account name with a backslash or quote in it is left alone.
    @Test func definerWithABackslashIsNotStripped() {
        let dump = "CREATE DEFINER='a\\'@'%' PROCEDURE p() SELECT 1;\n\\e\n"
        let output = rewrite(dump)
        #expect(output == dump)
        #expect(rewrite("CREATE DEFINER=`app-user`@`10.0.%` PROCEDURE p() SELECT 1;\n") == "CREATE PROCEDURE p() SELECT 1;\n")
        #expect(rewrite("CREATE DEFINER='o''brien'@'localhost' FUNCTION f() RETURNS INT RETURN 1;\n") == "CREATE FUNCTION f() RETURNS INT RETURN 1;\n")
        // `--` followed by a space starts a comment for the client: a name holding it is not a name.
        #expect(rewrite("CREATE DEFINER=a-- @b \\e\n") == "CREATE DEFINER=a-- @b \\e\n")
    }

    /// Finding 2: the `mysql` system schema of an `--all-databases` dump was skipped line by line until a `USE` of a
    /// user schema; a string opened in the skipped part and closed after it turned `\!` into a command. Statements
    /// are now skipped only where the client sees one start and end.
    @Test func systemSchemaSkipEndsOnlyBetweenStatements() {
        let dump = """
            USE `mysql`;
            INSERT INTO `db` VALUES ('it''s;
            USE `shop`;
            SELECT 1; \\! id
            ');
            USE `shop`;
            CREATE TABLE t (a int);

            """
        #expect(MySQLClientCommandScanner.scanWhole(Array(dump.utf8)) == nil, "the `\\!` is inside a string")
        let output = rewrite(dump)
        #expect(MySQLClientCommandScanner.scanWhole(Array(output.utf8)) == nil, "\(output)")
        #expect(output == "USE `shop`;\nCREATE TABLE t (a int);\n", "\(output)")
        // A real switch to a user schema still ends the skip.
        let clean = rewrite("USE `mysql`;\nINSERT INTO `db` VALUES ('x');\nUSE `shop`;\nCREATE TABLE t (a int);\n")
        #expect(clean == "USE `shop`;\nCREATE TABLE t (a int);\n", "\(clean)")
    }

    /// Finding 4: PostgreSQL's block comments nest; the lexer ended `/* /* */` at the first `*/`, and a skipped
    /// statement's end was then placed inside what psql still read as a comment.
    @Test func postgresBlockCommentsNest() {
        func trace(_ text: String, _ dialect: StatementLexer.Dialect) -> LexerTrace {
            // One byte at a time: the nesting must survive every boundary.
            LexerTrace(Array(text.utf8), dialect: dialect, chunks: Array(repeating: 1, count: text.utf8.count))
        }
        let nested = "SELECT 1 /* a /* b */ still comment; */;\nSELECT 2;\n"
        #expect(trace(nested, .postgres).ends.count == 2)
        #expect(trace(nested, .postgres).ends.first == nested.utf8.count - "\nSELECT 2;\n".utf8.count)
        #expect(trace("SELECT 1 /* a /* b */ c;\n", .postgres).unfinishedAt == 1, "still inside the outer comment")
        #expect(trace("SELECT 1 /* a /* b */ c;\n", .mysql).ends.count == 1, "MySQL comments do not nest")
        #expect(trace("SELECT 1 /*/ x */;\n", .postgres).ends.count == 1, "`/*/` opens once")
    }

    /// Finding 5: `/*!…*/` and `/*M!…*/` are SQL to the mariadb client (it reads strings and delimiters inside them);
    /// the lexer took them for comments, so a quote inside one opened a string for the client but not for the lexer.
    @Test func mysqlVersionedCommentsAreSQL() {
        func trace(_ text: String) -> LexerTrace {
            LexerTrace(Array(text.utf8), dialect: .mysql, chunks: Array(repeating: 1, count: text.utf8.count))
        }
        #expect(trace("/*!40101 SET x = ';' */;\nSELECT 1;\n").ends.count == 2, "the `;` in the string ends nothing")
        #expect(trace("/*!40101 SET x = 'open */;\nSELECT 1;\n").unfinishedAt == 1, "still in the string")
        #expect(trace("/*M!100203 SET y = \"a\" */;\n").ends.count == 1)
        #expect(trace("/* a plain ' comment */;\nSELECT 1;\n").ends.count == 2, "a quote in a comment is nothing")
        #expect(trace("/**/ SELECT 1;\n").ends.count == 1)
        #expect(trace("/*M plain */ SELECT 1;\n").ends.count == 1)
    }

    func rewrite(_ dump: String) -> String {
        let rewritten = DumpInvariants.rewrite(Array(dump.utf8), chunks: ChunkPlan(for: Array(dump.utf8)).sizes) { MySQLDumpRules(knownCollations: DumpInvariants.mariaDBCollations) }
        return String(decoding: rewritten.output, as: UTF8.self)
    }
}

extension MySQLClientCommandScanner {
    static func scanWhole(_ bytes: [UInt8]) -> String? {
        DumpInvariants.scan(MySQLClientCommandScanner(), bytes, chunks: [bytes.count])
    }
}
