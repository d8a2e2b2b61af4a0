import Foundation
import Testing

@testable import BackupVerifier

/// COPY … FROM stdin data is data until `\.`: bcrypt hashes (`$2a$10$…`), `$$`, backslashes, rows that start
/// with `\` (`\N`, `\\connect …`) and apostrophes must not be read as SQL by any of the scanners that read a
/// plain dump (the completeness lexer, the psql meta-command scanner, the rewriter), nor by psql.
struct PostgresCopyDataTests {
    /// A real pg_dump 15 of a table of bcrypt/argon2 hashes, `$$`, `$tag$`, `\`, `\N`-first rows, `\\connect`
    /// and `\\.` values, and E'' strings in a DEFAULT and a COMMENT.
    static let fixture = "pg15-bcrypt-copy.sql"

    static func scan(_ bytes: [UInt8], chunk: Int = 777) -> DumpScanner {
        var scanner = DumpScanner()
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            bytes[offset..<end].withUnsafeBytes { scanner.feed($0) }
            offset = end
        }
        scanner.finish()
        return scanner
    }

    @Test func completenessReadsCopyDataAsData() throws {
        let (status, detail) = CompletenessCheck.judge(Self.scan(try PostgresCorpus.bytes(Self.fixture)))
        #expect(status == .passed, "\(detail)")
        #expect(detail.contains("-- PostgreSQL database dump complete"))
    }

    @Test(arguments: [1, 7, 4096])
    func completenessHoldsAtAnyChunkSize(chunk: Int) throws {
        #expect(CompletenessCheck.judge(Self.scan(try PostgresCorpus.bytes(Self.fixture), chunk: chunk)).status == .passed)
    }

    /// Cut inside the COPY data of the hashes: the dump is truncated there (and says so), not earlier.
    @Test func cutInsideCopyDataIsTruncatedAtTheCopy() throws {
        let text = try PostgresCorpus.text(Self.fixture)
        let copy = try #require(text.range(of: "COPY public.users"))
        let cut = String(text[..<text.index(copy.upperBound, offsetBy: 120)])
        let (status, detail) = CompletenessCheck.judge(Self.scan(Array(cut.utf8)))
        #expect(status == .failed)
        let copyLine = text[..<copy.lowerBound].filter { $0 == "\n" }.count + 1
        #expect(detail == "dump ends in the middle of a statement at line \(copyLine): truncated")
    }

    @Test func lexerFollowsEveryFormOfCopyData() {
        let dump = """
            COPY public.t (a, b) FROM stdin;
            $2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\t$$ open
            \\N\t'unterminated
            \\\\connect evil\t$body$
            \\\\.not the end\tx
            \\.
            SELECT 1;
            copy t from STDIN ;
            it's data
            \\.
            COPY (SELECT 1) TO stdout;
            SELECT 'back to SQL';

            """
        var lexer = StatementLexer(dialect: .postgres)
        Array(dump.utf8).withUnsafeBytes { lexer.feed($0) }
        #expect(lexer.unfinishedAt == nil)
        #expect(lexer.isBetweenStatements)
        #expect(lexer.statementsEnded == 5)
    }

    @Test func lexerStillOpensDollarQuotesInSQL() {
        var lexer = StatementLexer(dialect: .postgres)
        Array("SELECT $x$ unterminated;\n".utf8).withUnsafeBytes { lexer.feed($0) }
        #expect(lexer.unfinishedAt == 1)
    }

    @Test func metaCommandScannerAcceptsTheDump() throws {
        var scanner = PsqlMetaCommandScanner()
        let bytes = try PostgresCorpus.bytes(Self.fixture)
        let refusal = bytes.withUnsafeBytes { scanner.scan($0) }
        #expect(refusal == nil)
        #expect(scanner.finish() == nil)
    }

    @Test func rewriterPassesCopyDataThroughByteForByte() throws {
        let bytes = try PostgresCorpus.bytes(Self.fixture)
        var rewriter = DumpRewriter(rules: PostgresDumpRules(knownSettings: [], serverVersion: "15", restrictKey: "K"))
        var output: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 333) {
            bytes[start..<min(bytes.count, start + 333)].withUnsafeBytes { rewriter.feed($0, into: &output) }
        }
        rewriter.finish(into: &output)
        let text = String(decoding: output, as: UTF8.self)
        let source = try PostgresCorpus.text(Self.fixture)
        for block in ["COPY public.users", "COPY public.secrets"] {
            let start = try #require(source.range(of: block))
            let end = try #require(source.range(of: "\n\\.\n", range: start.upperBound..<source.endIndex))
            #expect(text.contains(source[start.lowerBound..<end.upperBound]), "\(block) changed")
        }
    }

    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func plainAndCustomRestoreWithTheHashesIntact() async throws {
        for (name, format) in [(Self.fixture, DumpFormat.pgPlain), ("pg15-bcrypt-copy.dump", .pgCustom)] {
            try await PostgresCorpus.restore(PostgresCorpus.url(name), format: format) { sandbox, outcome async throws in
                _ = try outcome.get()
                #expect(try await PostgresCorpus.rowCounts(sandbox) == ["orders": 20, "secrets": 3, "users": 5], "\(name)")
                #expect(try await sandbox.scalar("SELECT encrypted_password FROM users WHERE id = 1")
                    == "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
                #expect(try await sandbox.scalar("SELECT label FROM secrets WHERE hash = '$1$salt$hash'")
                    == "\\connect -reuse-previous=on host=evil")
                #expect(try await sandbox.scalar("SELECT note FROM users WHERE id = 3") == "\\.")
                #expect(try await sandbox.scalar("SELECT obj_description('public.secrets'::regclass)") == "holds $$ and \\ and it's")
            }
        }
    }
}
