import Foundation
import Logging
import Testing
@testable import BackupVerifier

#if canImport(Glibc)
import Glibc
#endif

/// Hostile SQLite dumps against the sandboxed restore child: each class of attack the probe found, in its
/// variants, must end in the right verdict with a reason naming what was refused, and leave nothing behind.
@Suite struct SQLiteChildHostileTests {
    /// Restores `body` (a sqlite3 .dump body, the header added) and checks that nothing was left behind.
    static func verify(
        _ body: String, header: String = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n", policy: VerificationPolicy = .default,
        sqlite: SQLiteLimits = SQLiteLimits(), sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> VerificationReport {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let file = try tmp.file("Hostile.1.sql", Data((header + body).utf8))
        let work = tmp.url.appendingPathComponent("work")
        let report = await BackupVerifier.sqliteOnly(root: work, sqlite: sqlite).verify(file: file, expectedSHA256: nil, policy: policy, previous: nil)
        try SQLiteChildProbe.expectNothingLeft(in: work, sourceLocation: sourceLocation)
        #expect(report.check("teardown")?.status == .passed, sourceLocation: sourceLocation)
        return report
    }

    /// The probe's crash: a pointer of the dump's choosing registered as the `simple` tokenizer, then used.
    /// Any case, the one-argument form (it leaks an address), and calls hidden in subqueries, CTEs, views and
    /// triggers: the statement that would call it is refused.
    @Test(arguments: [
        "SELECT fts3_tokenizer('simple', x'4141414141414141');\nCREATE VIRTUAL TABLE t USING fts3(x, tokenize=simple);\nINSERT INTO t VALUES('boom');\n",
        "SELECT FTS3_TOKENIZER('simple', x'4141414141414141');\nCREATE VIRTUAL TABLE t USING fts4(x, tokenize=simple);\n",
        "select Fts3_Tokenizer('porter');\n",
        "SELECT * FROM (SELECT fts3_tokenizer('simple', x'4141414141414141') AS p);\n",
        "WITH c(p) AS (SELECT fts3_tokenizer('simple', x'4141414141414141')) SELECT p FROM c;\n",
        "CREATE TABLE k(p);\nINSERT INTO k SELECT fts3_tokenizer('simple');\n",
        "CREATE TABLE a(x);\nCREATE TRIGGER tr AFTER INSERT ON a BEGIN SELECT fts3_tokenizer('simple', x'4141414141414141'); END;\nINSERT INTO a VALUES(1);\n",
        "CREATE VIEW v AS SELECT fts3_tokenizer('simple', x'4141414141414141') AS p;\nSELECT * FROM v;\n",
    ])
    func fts3TokenizerIsRefused(body: String) async throws {
        let report = try await Self.verify("CREATE TABLE keep(a);\nINSERT INTO keep VALUES(1);\n" + body + "COMMIT;\n")
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.check("restore")?.status == .failed)
        #expect(report.summary.contains("statement at line"), "\(report.summary)")
        #expect(report.summary.lowercased().contains("fts3_tokenizer"), "\(report.summary)")
    }

    /// PRAGMAs that reach past the dump's own file (process-wide heap limits, memory maps, directories) are
    /// refused by name, in any case and through the pragma table functions too.
    @Test(arguments: [
        ("PRAGMA hard_heap_limit=1;", "hard_heap_limit"),
        ("PRAGMA soft_heap_limit=1;", "soft_heap_limit"),
        ("pragma HARD_HEAP_LIMIT = 1;", "hard_heap_limit"),
        ("PRAGMA mmap_size=1099511627776;", "mmap_size"),
        ("PRAGMA temp_store_directory='/tmp';", "temp_store_directory"),
        ("PRAGMA threads=64;", "threads"),
        ("PRAGMA trusted_schema=ON;", "trusted_schema"),
        ("SELECT * FROM pragma_hard_heap_limit(1);", "hard_heap_limit"),
    ])
    func processWidePragmasAreRefused(pragma: String, name: String) async throws {
        let report = try await Self.verify("CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n\(pragma)\nCOMMIT;\n")
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.summary.contains("statement at line 5"), "\(report.summary)")
        #expect(report.summary.contains(name), "\(report.summary)")
    }

    /// What sqlite3 .dump itself writes stays allowed, writable_schema for virtual tables included.
    @Test func pragmasOfRealDumpsPass() async throws {
        let report = try await Self.verify("""
            PRAGMA user_version=7;
            PRAGMA application_id=12;
            PRAGMA recursive_triggers=ON;
            CREATE TABLE t(a);
            INSERT INTO t VALUES(1);
            PRAGMA writable_schema=ON;
            INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','docs','docs',0,'CREATE VIRTUAL TABLE docs USING fts5(body)');
            CREATE TABLE IF NOT EXISTS 'docs_data'(id INTEGER PRIMARY KEY, block BLOB);
            INSERT INTO docs_data VALUES(1,X'0102');
            INSERT INTO docs_data VALUES(10,X'000000000101010001010101');
            INSERT INTO docs_data VALUES(137438953473,X'00000018063068656c6c6f0102020105776f726c64010203040a');
            CREATE TABLE IF NOT EXISTS 'docs_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
            INSERT INTO docs_idx VALUES(1,X'',2);
            CREATE TABLE IF NOT EXISTS 'docs_content'(id INTEGER PRIMARY KEY, c0);
            INSERT INTO docs_content VALUES(1,'hello world');
            CREATE TABLE IF NOT EXISTS 'docs_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
            INSERT INTO docs_docsize VALUES(1,X'02');
            CREATE TABLE IF NOT EXISTS 'docs_config'(k PRIMARY KEY, v) WITHOUT ROWID;
            INSERT INTO docs_config VALUES('version',4);
            PRAGMA writable_schema=OFF;
            COMMIT;

            """, policy: VerificationPolicy(checks: [PolicyCheck(name: "fts", sql: "SELECT count(*) FROM docs WHERE docs MATCH 'hello'", expect: "== 1")]))
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.rows("docs") == 1)
        #expect(report.rows("t") == 1)
    }

    /// ATTACH in its spellings (plain, URI, lower case) and DETACH never reach another file. Outside a
    /// transaction: inside one SQLite refuses ATTACH on its own, which would prove nothing.
    @Test(arguments: [
        "ATTACH DATABASE '%@' AS x;\nCREATE TABLE x.t(a);",
        "ATTACH 'file:%@?mode=rwc' AS x;",
        "attach database '%@' as \"x\";",
        "DETACH DATABASE main;",
        "VACUUM INTO '%@';",
    ])
    func attachingAnotherFileIsRefused(template: String) async throws {
        let marker = "backupfeed-attach-\(UUID().uuidString.prefix(8))"
        let outside = "/tmp/\(marker).db"
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let report = try await Self.verify(
            "CREATE TABLE t(a);\n" + template.replacingOccurrences(of: "%@", with: outside) + "\n", header: "PRAGMA foreign_keys=OFF;\n")
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.summary.contains("statement at line 3"), "\(report.summary)")
        #expect(report.summary.contains("refused in the sandbox"), "\(report.summary)")
        #expect(SQLiteChildProbe.strays(named: marker).isEmpty)
    }

    @Test(arguments: [
        "SELECT load_extension('/tmp/nothing.so');",
        "SELECT LOAD_EXTENSION('/tmp/nothing.so', 'sqlite3_extension_init');",
        "CREATE VIEW le AS SELECT load_extension('/tmp/nothing.so');\nSELECT * FROM le;",
    ])
    func loadExtensionIsRefused(statement: String) async throws {
        let report = try await Self.verify("CREATE TABLE t(a);\n\(statement)\nCOMMIT;\n")
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.summary.contains("load_extension"), "\(report.summary)")
    }

    /// One statement past the cap is refused before it is held whole: an INSERT with a huge value, and one
    /// with a huge list of rows.
    @Test(arguments: ["INSERT INTO t VALUES('%@');\n", "INSERT INTO t VALUES%@(1);\n"])
    func hugeStatementIsRefused(template: String) async throws {
        let big = template.contains("'") ? String(repeating: "A", count: 3 << 20) : String(repeating: "(1),", count: 1 << 20)
        let report = try await Self.verify(
            "CREATE TABLE t(a);\n" + template.replacingOccurrences(of: "%@", with: big) + "COMMIT;\n",
            sqlite: SQLiteLimits(maxStatementBytes: 1 << 20))
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.summary.contains("statement at line 4 is larger than 1.0 MiB, the limit on one statement"), "\(report.summary)")
    }

    /// The probe's 82-second dump: thousands of statements inside one trigger body. The completion scan is
    /// linear now, so it restores at once. (SQLite's own compiling of a trigger grows faster than linearly with
    /// its body: 40,000 inner statements take it about 20 s, which the deadline covers; 5,000 take 0.4 s.)
    @Test func longTriggerBodyRestoresInLinearTime() async throws {
        let inner = String(repeating: "  INSERT INTO log VALUES(new.a);\n", count: 5_000)
        let started = ContinuousClock.now
        let report = try await Self.verify(
            "CREATE TABLE t(a);\nCREATE TABLE log(a);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n\(inner)END;\nINSERT INTO t VALUES(1);\nCOMMIT;\n",
            policy: VerificationPolicy(timeoutSeconds: 30))
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.rows("log") == 5_000)
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    /// A statement that never ends is interrupted inside SQLite at the deadline, not after it.
    @Test(arguments: [
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;\n",
        "CREATE TABLE n(a);\nCREATE TRIGGER slow AFTER INSERT ON n BEGIN SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c); END;\nINSERT INTO n VALUES(1);\n",
    ])
    func slowStatementEndsAtTheDeadline(statement: String) async throws {
        let started = ContinuousClock.now
        let report = try await Self.verify("CREATE TABLE t(a);\n\(statement)COMMIT;\n", policy: VerificationPolicy(timeoutSeconds: 8))
        let elapsed = ContinuousClock.now - started
        #expect(report.verdict == .error, "\(report.text())")
        #expect(report.summary.contains("timed out"), "\(report.summary)")
        #expect(report.summary.contains("statement at line"), "\(report.summary)")
        #expect(elapsed >= .seconds(6) && elapsed < .seconds(12), "ended after \(elapsed)")
    }

    /// A real crash of the child (SIGSEGV, sent while it runs a slow statement) is the run's `error`, and the
    /// test process (standing in for the server) goes on.
    @Test func crashOfTheChildIsAnError() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dump = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\n"
            + "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;\nCOMMIT;\n"
        let file = try tmp.file("Crash.1.sql", Data(dump.utf8))
        let work = tmp.url.appendingPathComponent("work")
        let run = Task {
            await BackupVerifier.sqliteOnly(root: work).verify(file: file, expectedSHA256: nil, policy: VerificationPolicy(timeoutSeconds: 60), previous: nil)
        }
        var child: Int32?
        let giveUp = ContinuousClock.now + .seconds(20)
        while child == nil, ContinuousClock.now < giveUp {
            try await Task.sleep(for: .milliseconds(100))
            child = SQLiteChildProbe.child(under: work)
        }
        let pid = try #require(child, "the SQLite child never appeared")
        // Let it get into the statement, then crash it as a bad pointer would.
        try await Task.sleep(for: .milliseconds(500))
        #expect(kill(pid, SIGSEGV) == 0)
        let report = await run.value
        #expect(report.verdict == .error, "\(report.text())")
        #expect(report.check("restore")?.status == .error)
        #expect(report.summary.contains("the SQLite restore crashed (signal 11"), "\(report.summary)")
        #expect(report.totalSeconds < 30)
        try SQLiteChildProbe.expectNothingLeft(in: work)
    }

    /// SQLite's heap in the child is held below the child's address space: a dump that asks for more gets a
    /// clean "out of memory" inside SQLite, reported as `error` (the verifier's limit, not a bad backup).
    @Test func memoryLimitIsAnError() async throws {
        let report = try await Self.verify(
            "CREATE TABLE t(a);\nINSERT INTO t VALUES(randomblob(400000000));\nCOMMIT;\n",
            sqlite: SQLiteLimits(addressSpaceBytes: 768 << 20))
        #expect(report.verdict == .error, "\(report.text())")
        #expect(report.summary.contains("ran out of its memory limit"), "\(report.summary)")
        #expect(report.summary.contains("line 4"), "\(report.summary)")
    }

    /// Without the executable that runs the child there is no SQLite restore at all (never an in-process one).
    @Test func missingHelperIsAnError() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let file = try tmp.file("x.1.sql", Data("PRAGMA foreign_keys=OFF;\nCREATE TABLE t(a);\n".utf8))
        let verifier = BackupVerifier(
            configuration: VerifierConfiguration(
                workRoot: tmp.url.appendingPathComponent("work"),
                engines: [.sqlite: SQLiteEngine(helper: URL(fileURLWithPath: "/nonexistent/backupfeed"))]),
            logger: .init(label: "test"))
        let report = await verifier.verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .error)
        #expect(report.summary.contains("BACKUPFEED_SQLITE_HELPER"), "\(report.summary)")
    }
}
