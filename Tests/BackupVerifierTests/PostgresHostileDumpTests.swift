import Foundation
import Logging
import Testing

@testable import BackupVerifier

/// Plain dumps that try to run shell commands or write files must fail their verification and leave no trace
/// outside the sandbox; timeouts and crashes must leave no process and no directory behind.
@Suite(.enabled(if: EngineTestSupport.runPostgres, "PostgreSQL is not installed (apt-get install postgresql)"))
struct PostgresHostileDumpTests {
    let engine = PostgresEngine(templateRoot: EngineTestSupport.templates)

    func sandbox(in work: URL) async throws -> any DatabaseSandbox {
        try await engine.makeSandbox(database: "hostile", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
    }

    /// Restores `text`, expecting `EngineError.restoreFailed` mentioning `expected`, then tears down.
    func expectRejected(_ text: String, marker: String, because expected: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump(text, in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await sandbox(in: work)
        var failure: EngineError?
        do {
            _ = try await sandbox.restore(EngineTestFile(file, format: .pgPlain), deadline: EngineTestSupport.deadline())
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

    static let restricted = "is refused: psql would run it itself"

    @Test func shellEscapeIsBlocked() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("CREATE TABLE t (id int);\n\\! touch \(marker)\n", marker: marker, because: Self.restricted)
    }

    @Test func shellEscapeBetweenTheDumpsOwnUnrestrictAndRestrictIsBlocked() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("""
            \\restrict abc123
            CREATE TABLE t (id int);
            \\unrestrict abc123
            \\! touch \(marker)
            \\restrict abc123
            SELECT 1;
            \\unrestrict abc123

            """, marker: marker, because: Self.restricted)
    }

    @Test func shellEscapeAfterAStatementOnTheSameLineIsBlocked() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("SELECT 1; \\! touch \(marker)\n", marker: marker, because: Self.restricted)
    }

    /// psql 15 expands backticks in `\\unrestrict`'s argument before it compares the key: every way of writing
    /// the command outside strings, comments and COPY data is refused before psql sees it, naming the line.
    @Test(arguments: [
        "CREATE TABLE t (id int);\n  \\unrestrict `touch MARKER`\n",
        "CREATE TABLE t (id int);\n\\unrestrict\t`touch MARKER`\n",
        "SELECT 1; \\unrestrict `touch MARKER`\n",
        "SELECT 1\n\\unrestrict `setsid sh -c 'sleep 60; touch MARKER' &`\n;\n",
        "CREATE TABLE t (id int);\nSELECT 'a' \\gexec\n",
        "COPY t (id) FROM stdin; SELECT 1;\n1\n\\.\n\\! touch MARKER\n",
        "COPY t (id) FROM stdin;\n1\n\\.\n\\! touch MARKER\n",
    ])
    func metaCommandsAnywhereOutsideStringsAreRefused(_ template: String) async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected(template.replacingOccurrences(of: "MARKER", with: marker), marker: marker, because: "psql")
    }

    @Test func backslashesInsideStringsDollarQuotesCommentsAndCopyDataRestore() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump("""
            SET standard_conforming_strings = on;
            -- a comment with \\! and \\unrestrict
            /* block /* nested \\! */ still comment \\e */
            CREATE TABLE t (note text);
            INSERT INTO t VALUES ('C:\\path\\'), (E'it\\'s \\! fine'), ($$ \\! dollar $$), ($tag$ $$ \\e $tag$);
            CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $fn$ SELECT '\\! body' $fn$;
            COPY t (note) FROM stdin;
            $2a$10$abcdefghijklmnopqrstuv \\! data
            back\\\\slash

            \\.
            SELECT 1;

            """, in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await sandbox(in: work)
        _ = try await sandbox.restore(EngineTestFile(file, format: .pgPlain), deadline: EngineTestSupport.deadline())
        #expect(try await sandbox.countRows(of: "t") == 7)
        await sandbox.tearDown()
        EngineTestSupport.expectNothingLeft(in: work)
    }

    /// pg_dump 17.6+ writes `\\restrict KEY` / `\\unrestrict KEY` as whole lines: the rewriter drops those lines,
    /// so even a backtick in their argument never reaches psql.
    @Test func theDumpsOwnRestrictLinesAreDroppedNeverRun() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let marker = EngineTestSupport.pwnedMarker()
        let file = try EngineTestSupport.dump(
            "\\restrict `touch \(marker)`\nCREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n\\unrestrict `touch \(marker)`\n",
            in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await sandbox(in: work)
        let outcome = try await sandbox.restore(EngineTestFile(file, format: .pgPlain), deadline: EngineTestSupport.deadline())
        #expect(outcome.rewrites.contains { $0.from.hasPrefix("\\unrestrict") })
        #expect(try await sandbox.countRows(of: "t") == 1)
        await sandbox.tearDown()
        #expect(!FileManager.default.fileExists(atPath: marker))
        EngineTestSupport.expectNothingLeft(in: work)
    }

    @Test func clientSideCopyToAFileIsBlocked() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("\\copy (select 1) to '\(marker)'\n", marker: marker, because: Self.restricted)
    }

    @Test func copyToProgramIsRefusedToTheNonSuperuser() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("COPY (select 1) TO PROGRAM 'touch \(marker)';\n", marker: marker, because: "pg_execute_server_program")
    }

    @Test func serverSideCopyToAFileIsRefusedToTheNonSuperuser() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("COPY (select 1) TO '\(marker)';\n", marker: marker, because: "pg_write_server_files")
    }

    @Test func dumpEndingInsideAStringFails() async throws {
        // psql silently drops an unterminated last statement at end of input; the restore must not pass.
        let marker = EngineTestSupport.pwnedMarker()
        try await expectRejected("CREATE TABLE t (n text);\nINSERT INTO t VALUES ('cut here\n", marker: marker, because: "the dump ends inside an unterminated statement or string")
    }

    @Test func timeoutKillsTheClientAndTearDownLeavesNothing() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump("SELECT pg_sleep(30);\n", in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await sandbox(in: work)
        let started = ContinuousClock.now
        do {
            _ = try await sandbox.restore(EngineTestFile(file, format: .pgPlain), deadline: .now + .seconds(3))
            Issue.record("a 30 s dump finished within a 3 s deadline")
        } catch let error as EngineError {
            guard case .timedOut = error else { throw error }
        }
        // The dump sleeps 30 s: ending well before that proves the deadline cut it (loose for loaded CI machines).
        #expect(ContinuousClock.now - started < .seconds(25))
        // The client and its sandbox are gone; the postmaster still runs.
        #expect(EngineTestSupport.processes(mentioning: work.path, running: "psql").isEmpty)
        #expect(EngineTestSupport.processes(mentioning: work.path, running: "postgres").count == 1)
        await sandbox.tearDown()
        EngineTestSupport.expectNothingLeft(in: work)
    }

    @Test func cleanUpLeftoversKillsTheServerOfACrashedRun() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let sandbox = try await sandbox(in: work)
        let sandboxDir = try #require(try FileManager.default.contentsOfDirectory(at: work, includingPropertiesForKeys: nil).first)
        let postmaster = try #require(Int32(String(contentsOfFile: sandboxDir.path + "/server.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(EngineTestSupport.processes(mentioning: work.path).contains(postmaster))

        // A live owner's sandbox is left alone…
        #expect(await SandboxCleanup.cleanUpLeftovers(under: work) == SandboxCleanup.Summary())
        // …but once its owner is gone (a marker naming another incarnation of our pid), it is removed.
        let markerURL = sandboxDir.appendingPathComponent(SandboxDirectory.markerName)
        var marker = try JSONDecoder().decode(SandboxDirectory.Marker.self, from: Data(contentsOf: markerURL))
        marker.ownerStartTime += 1
        try JSONEncoder().encode(marker).write(to: markerURL)

        let summary = await SandboxCleanup.cleanUpLeftovers(under: work)
        // Killing the sandbox's outer process (the recorded pid) takes every process inside its PID namespace with it.
        #expect(summary.killedProcesses.contains(postmaster))
        #expect(summary.removedDirectories == [sandboxDir.path])
        EngineTestSupport.expectNothingLeft(in: work)
        await sandbox.tearDown()
    }
}
