import Foundation
import Logging
import Testing

@testable import BackupVerifier

/// Dumps that try to reach outside the sandbox must fail their verification and leave no trace outside it;
/// timeouts and crashes must leave no process and no directory behind.
@Suite(.enabled(if: EngineTestSupport.runMariaDB, "MariaDB is not installed (apt-get install mariadb-server)"))
struct MariaDBHostileDumpTests {
    let engine = MariaDBEngine(templateRoot: EngineTestSupport.templates)

    /// Restores `text`, expecting `EngineError.restoreFailed`, and tears the sandbox down.
    func expectRejected(_ text: String, marker: String, because expected: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump(text, in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await engine.makeSandbox(
            database: "hostile", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        var failure: EngineError?
        do {
            _ = try await sandbox.restore(EngineTestFile(file, format: .mysqlDump), deadline: EngineTestSupport.deadline())
        } catch let error as EngineError {
            failure = error
        }
        await sandbox.tearDown()
        guard case .restoreFailed(let reason) = failure else {
            Issue.record("expected restoreFailed, got \(String(describing: failure))", sourceLocation: sourceLocation)
            return
        }
        #expect(reason.contains(expected), "\(reason)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: marker), "the dump wrote \(marker)", sourceLocation: sourceLocation)
        EngineTestSupport.expectNothingLeft(in: work, sourceLocation: sourceLocation)
    }

    @Test func shellEscapeIsBlocked() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("CREATE TABLE t (id INT);\n\\! touch \(marker)\nINSERT INTO t VALUES (1);\n", marker: marker, because: "the client command `\\!` is refused")
    }

    @Test func systemCommandIsBlocked() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("CREATE TABLE t (id INT);\nsystem touch \(marker)\nINSERT INTO t VALUES (1);\n", marker: marker, because: "the client command `system` is refused")
    }

    /// The client runs `\\e` (an editor through system()), `\\r`/`connect` (a TCP connection), `\\P`/`pager` (a program)
    /// wherever they stand outside strings and comments: each variant is refused, naming its line.
    @Test(arguments: [
        ("SELECT 1; \\e\n", "`\\e`", 1),
        ("CREATE TABLE t (id INT);\n  \\e\nINSERT INTO t VALUES (1);\n", "`\\e`", 2),
        ("CREATE TABLE t (id INT);\n\\r 127.0.0.1 3306\n", "`\\r`", 2),
        ("CREATE TABLE t (id INT);\nconnect backup 127.0.0.1\n", "`connect`", 2),
        ("CREATE TABLE t (id INT);\n  EDIT\n", "`edit`", 2),
        ("CREATE TABLE t (id INT);\npager touch /tmp/x;\n", "`pager`", 2),
        ("/*!40101 SET NAMES utf8 \\! touch /tmp/x */;\n", "`\\!`", 1),
        ("DELIMITER ;;\nCREATE TABLE t (id INT);;\nsource /etc/passwd;;\n", "`source`", 3),
    ])
    func clientCommandsAnywhereOutsideStringsAreRefused(dump: String, command: String, line: Int) async throws {
        try await expectRejected(dump, marker: EngineTestSupport.pwnedMarker(), because: "line \(line): the client command \(command) is refused")
    }

    @Test func commandLookalikesInsideStringsAndCommentsRestore() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump("""
            -- a comment mentioning \\e and connect
            /* block \\! comment */
            CREATE TABLE t (note TEXT);
            INSERT INTO t VALUES ('C:\\\\edit\\r\\n'), ('\\e \\! pager'), ("edit \\P");
            DELIMITER ;;
            CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.note = CONCAT(NEW.note, ' \\e');;
            DELIMITER ;

            """, in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await engine.makeSandbox(
            database: "lookalikes", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        _ = try await sandbox.restore(EngineTestFile(file, format: .mysqlDump), deadline: EngineTestSupport.deadline())
        #expect(try await sandbox.countRows(of: "t") == 3)
        await sandbox.tearDown()
        EngineTestSupport.expectNothingLeft(in: work)
    }

    /// The restoring account has no privilege on MariaDB's own schemas: a routine planted in `mysql.proc` with a
    /// root definer would otherwise run as root inside the sandbox server.
    @Test(arguments: [
        ("INSERT INTO mysql.proc (db, name, type, specific_name, body, definer) VALUES ('hostile', 'p', 'PROCEDURE', 'p', 'SET GLOBAL general_log = ON', 'root@localhost');\n", "denied"),
        ("UPDATE mysql.global_priv SET Priv = '{}' WHERE User = 'restorer';\n", "denied"),
        ("CREATE TABLE mysql.planted (id INT);\n", "denied"),
        ("SELECT * FROM mysql.user;\n", "denied"),
        // A `USE mysql`, `GRANT` or `CREATE USER` at the start of a line is skipped by the rewriter (as a system schema
        // or an account statement of `--all-databases`); hidden after another statement on the same line, it reaches
        // the server, whose grants refuse it: the second layer holds on its own.
        ("SELECT 1; USE mysql;\n", "denied"),
        ("CREATE TABLE sys.planted (id INT);\n", "denied"),
        ("CREATE TABLE performance_schema.planted (id INT);\n", "denied"),
        ("SELECT 1; GRANT ALL ON *.* TO restorer@localhost;\n", "denied"),
        ("SELECT 1; CREATE USER other@localhost;\n", "denied"),
    ])
    func systemSchemasAreOutOfReach(dump: String, reason: String) async throws {
        try await expectRejected("CREATE TABLE t (id INT);\n" + dump, marker: EngineTestSupport.pwnedMarker(), because: reason)
    }

    /// Databases of every shape but the protected names are restorable, so grants by pattern do not fail good dumps.
    @Test func dumpsMayCreateDatabasesOfAnyOtherName() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let names = ["shop", "sys2", "mysqlx", "my_sql", "ab", "app", "myapp", "performance_schemas", "syz", "Österreich", "a$b-c"]
        let dump = names.map { "CREATE DATABASE `\($0)`;\nCREATE TABLE `\($0)`.t (id INT);\nINSERT INTO `\($0)`.t VALUES (1);\n" }.joined()
        let file = try EngineTestSupport.dump(dump, in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await engine.makeSandbox(
            database: "backup", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        _ = try await sandbox.restore(EngineTestFile(file, format: .mysqlDump), deadline: EngineTestSupport.deadline())
        let tables = try await sandbox.tables()
        #expect(Set(tables) == Set(names.map { "\($0).t" }))
        for table in tables { #expect(try await sandbox.countRows(of: table) == 1) }
        await sandbox.tearDown()
        EngineTestSupport.expectNothingLeft(in: work)
    }

    /// The report's log carries the client's messages, not what the dump's own queries print.
    @Test func theDumpsQueryOutputStaysOutOfTheLog() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump(
            "CREATE TABLE t (v TEXT);\nINSERT INTO t VALUES ('row-secret-42');\nSELECT @@hostname, @@datadir;\nSELECT v FROM t;\nSELECT LOAD_FILE('/etc/passwd');\n",
            in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await engine.makeSandbox(
            database: "quiet", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        let outcome = try await sandbox.restore(EngineTestFile(file, format: .mysqlDump), deadline: EngineTestSupport.deadline())
        await sandbox.tearDown()
        #expect(!outcome.log.contains("row-secret-42"))
        #expect(!outcome.log.contains(work.path))
        #expect(!outcome.log.contains("root:x:0:0"))
        #expect(!outcome.log.contains(ProcessInfo.processInfo.hostName))
    }

    @Test func selectIntoOutfileOutsideTheSandboxIsBlocked() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("CREATE TABLE t (id INT);\nINSERT INTO t VALUES (1);\nSELECT * FROM t INTO OUTFILE '\(marker)';\n", marker: marker, because: "Access denied")
    }

    @Test func loadDataLocalInfileIsBlocked() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("""
            CREATE TABLE t (line TEXT);
            LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t;
            SELECT line FROM t INTO OUTFILE '\(marker)';

            """, marker: marker, because: "ERROR 4166")
    }

    @Test func dumpThatQuitsTheClientEarlyFails() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("CREATE TABLE t (id INT);\nquit\nINSERT INTO t VALUES (1);\n", marker: marker, because: "ERROR 1064")
    }

    @Test func serverLogRedirectedOutsideTheSandboxIsBlocked() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected(
            // Behind another statement on its line: a `SET GLOBAL` at the start of a line is skipped before it gets here.
            "SELECT 1; SET GLOBAL general_log_file = '\(marker)';\nSELECT 1; SET GLOBAL general_log = ON;\nSELECT 1;\n", marker: marker, because: "SUPER")
    }

    @Test func tableFilesCannotBePlacedOutsideTheSandbox() async throws {
        let elsewhere = EngineTestSupport.pwnedMarker()
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump("""
            CREATE TABLE i (id INT) ENGINE=InnoDB DATA DIRECTORY='\(elsewhere)';
            CREATE TABLE m (id INT) ENGINE=MyISAM DATA DIRECTORY='\(elsewhere)' INDEX DIRECTORY='\(elsewhere)';
            CREATE TABLE a (id INT) ENGINE=Aria DATA DIRECTORY='\(elsewhere)';
            INSERT INTO i VALUES (1);

            """, in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await engine.makeSandbox(
            database: "hostile", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        _ = try? await sandbox.restore(EngineTestFile(file, format: .mysqlDump), deadline: EngineTestSupport.deadline())
        await sandbox.tearDown()
        // The server ignores the option (a warning), so the tables exist, but inside the sandbox only.
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        EngineTestSupport.expectNothingLeft(in: work)
    }

    @Test func timeoutKillsTheClientAndTearDownLeavesNothing() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump("CREATE TABLE t (id INT);\nSELECT SLEEP(30);\n", in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await engine.makeSandbox(
            database: "slow", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        // Start the server first, so the 3 s go to the dump alone even on a loaded machine.
        _ = try await sandbox.tables()
        let started = ContinuousClock.now
        do {
            _ = try await sandbox.restore(EngineTestFile(file, format: .mysqlDump), deadline: .now + .seconds(3))
            Issue.record("a 30 s dump finished within a 3 s deadline")
        } catch let error as EngineError {
            guard case .timedOut = error else { throw error }
        }
        // The dump sleeps 30 s: ending well before that proves the deadline cut it (loose for loaded CI machines).
        #expect(ContinuousClock.now - started < .seconds(25))
        // The client and its sandbox are gone; the server still runs.
        #expect(EngineTestSupport.processes(mentioning: work.path, running: "mariadb").isEmpty)
        #expect(EngineTestSupport.processes(mentioning: work.path, running: "mariadbd").count == 1)
        await sandbox.tearDown()
        EngineTestSupport.expectNothingLeft(in: work)
    }

    @Test func cleanUpLeftoversKillsTheServerOfACrashedRun() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let sandbox = try await engine.makeSandbox(
            database: "orphan", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        #expect(try await sandbox.tables().isEmpty)  // starts the server
        let servers = EngineTestSupport.processes(mentioning: work.path)
        #expect(EngineTestSupport.processes(mentioning: work.path, running: "mariadbd").count == 1)

        // A live owner's sandbox is left alone…
        #expect(await SandboxCleanup.cleanUpLeftovers(under: work) == SandboxCleanup.Summary())
        #expect(EngineTestSupport.processes(mentioning: work.path) == servers)

        // …but once its owner is gone (here: a marker naming another incarnation of our pid), it is removed.
        let sandboxDir = try #require(try FileManager.default.contentsOfDirectory(at: work, includingPropertiesForKeys: nil).first)
        let markerURL = sandboxDir.appendingPathComponent(SandboxDirectory.markerName)
        var marker = try JSONDecoder().decode(SandboxDirectory.Marker.self, from: Data(contentsOf: markerURL))
        marker.ownerStartTime += 1
        try JSONEncoder().encode(marker).write(to: markerURL)

        let summary = await SandboxCleanup.cleanUpLeftovers(under: work)
        // Killing the sandbox's outer process takes every process inside its PID namespace with it.
        #expect(!summary.killedProcesses.isEmpty && Set(summary.killedProcesses).isSubset(of: servers))
        #expect(summary.removedDirectories == [sandboxDir.path])
        EngineTestSupport.expectNothingLeft(in: work)
        await sandbox.tearDown()
    }
}
