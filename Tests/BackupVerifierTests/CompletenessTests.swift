import Foundation
import Testing
@testable import BackupVerifier

@Suite struct CompletenessTests {
    static let textDumps = DetectionTests.expected.map(\.0).filter { $0.hasSuffix(".sql") }

    @Test(arguments: textDumps)
    func fixtureDumpsAreComplete(path: String) throws {
        let scanner = scan(try Fixtures.data(path))
        let (status, detail) = CompletenessCheck.judge(scanner)
        #expect(status == .passed, "\(path): \(detail)")
    }

    @Test func binaryFixturesAreComplete() throws {
        #expect(CompletenessCheck.judge(scan(try Fixtures.data("petclinic/dumps/petclinic.sqlite"), chunk: 4096)).status == .passed)
        #expect(CompletenessCheck.judge(scan(try Fixtures.data("petclinic/dumps/petclinic.pg.dump"), chunk: 4096)).status == .passed)
    }

    /// Cuts a dump inside the given line, which must be part of a statement, and expects that line reported.
    @Test(arguments: [
        ("petclinic/dumps/petclinic.mariadb.sql", "INSERT INTO `pets` VALUES"),
        ("petclinic/dumps/petclinic.sqlite.sql", "INSERT INTO visits VALUES(2"),
        ("realworld/pg14-copy-owner-role.sql", "ALTER TABLE"),
    ])
    func cutInsideAStatementFailsAsTruncated(path: String, marker: String) throws {
        let text = String(decoding: try Fixtures.data(path), as: UTF8.self)
        let range = try #require(text.range(of: marker))
        let line = text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        let cut = String(text[..<range.upperBound])
        let (status, detail) = CompletenessCheck.judge(scan(Data(cut.utf8)))
        #expect(status == .failed)
        #expect(detail == "dump ends in the middle of a statement at line \(line): truncated")
    }

    @Test func cutInsidePostgresCopyDataFails() throws {
        let text = String(decoding: try Fixtures.data("petclinic/dumps/petclinic.pg.sql"), as: UTF8.self)
        let copy = try #require(text.range(of: "COPY public.owners"))
        let cut = String(text[..<text.index(copy.upperBound, offsetBy: 200)])
        let (status, detail) = CompletenessCheck.judge(scan(Data(cut.utf8)))
        #expect(status == .failed)
        #expect(detail.contains("truncated"))
    }

    @Test func cutBetweenStatementsWithHeaderFails() throws {
        let text = String(decoding: try Fixtures.data("petclinic/dumps/petclinic.mariadb.sql"), as: UTF8.self)
        let cut = String(text[..<text.range(of: "UNLOCK TABLES;")!.upperBound]) + "\n"
        let (status, detail) = CompletenessCheck.judge(scan(Data(cut.utf8)))
        #expect(status == .failed)
        #expect(detail.contains("no \"-- Dump completed\"") && detail.contains("truncated"))
    }

    /// A backup script's own comment after sqlite3's final COMMIT; is no truncation; a cut before COMMIT; still is.
    @Test func commentAfterTheFinalCommitIsStillComplete() throws {
        let text = String(decoding: try Fixtures.data("petclinic/dumps/petclinic.sqlite.sql"), as: UTF8.self)
        let signed = text + "-- made by nightly.sh\n\n"
        #expect(CompletenessCheck.judge(scan(Data(signed.utf8))).status == .passed)
        let cut = String(text[..<text.range(of: "COMMIT;")!.lowerBound]) + "-- made by nightly.sh\n"
        let (status, detail) = CompletenessCheck.judge(scan(Data(cut.utf8)))
        #expect(status == .failed)
        #expect(detail.contains("no final COMMIT;"))
    }

    /// `mysqldump --skip-comments` writes neither header nor footer comments: a missing marker is only a warning.
    @Test func dumpWithoutCommentsIsAWarning() throws {
        let text = String(decoding: try Fixtures.data("petclinic/dumps/petclinic.mariadb.sql"), as: UTF8.self)
        let stripped = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("--") }.joined(separator: "\n")
        let (status, detail) = CompletenessCheck.judge(scan(Data(stripped.utf8)))
        #expect(status == .warning)
        #expect(detail.contains("--skip-comments"))
    }

    @Test func pgDumpallOutputIsComplete() {
        let dump = """
            --
            -- PostgreSQL database cluster dump
            --

            SET default_transaction_read_only = off;
            CREATE ROLE app;
            --
            -- PostgreSQL database dump
            --

            SET statement_timeout = 0;
            CREATE TABLE public.t (a integer);
            --
            -- PostgreSQL database dump complete
            --

            --
            -- PostgreSQL database cluster dump complete
            --


            """
        let (status, detail) = CompletenessCheck.judge(scan(Data(dump.utf8)))
        #expect(status == .passed, "\(detail)")
    }

    @Test func truncatedSQLiteFileFails() throws {
        let data = try Fixtures.data("petclinic/dumps/petclinic.sqlite")
        let (status, detail) = CompletenessCheck.judge(scan(data.prefix(20000), chunk: 4096))
        #expect(status == .failed)
        #expect(detail.contains("truncated"))
    }

    @Test func lexerUnderstandsQuotesCommentsAndDelimiters() {
        let sql = """
            /* a comment; with a semicolon */
            INSERT INTO t VALUES ('it''s; fine', "x;y");
            -- a line comment;
            DELIMITER ;;
            CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END ;;
            DELIMITER ;
            SELECT 'unterminated;
            """
        var lexer = StatementLexer(dialect: .mysql)
        Data(sql.utf8).withUnsafeBytes { lexer.feed($0) }
        #expect(lexer.unfinishedAt == 7)
        var pg = StatementLexer(dialect: .postgres)
        Data("CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n\\unrestrict abc\n".utf8)
            .withUnsafeBytes { pg.feed($0) }
        #expect(pg.unfinishedAt == nil)
        var escaped = StatementLexer(dialect: .postgres)
        Data("INSERT INTO t VALUES (E'it\\'s', 'C:\\');\n".utf8).withUnsafeBytes { escaped.feed($0) }
        #expect(escaped.unfinishedAt == nil)
    }
}
