import Foundation
import Logging
import Testing
@testable import BackupVerifier

@Suite struct HostileSQLiteTests {
    @Test(arguments: ["ATTACH DATABASE '%@' AS x;\nCREATE TABLE x.t(a);", "VACUUM INTO '%@';"])
    func escapingStatementFailsAndWritesNothing(template: String) async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let outside = "/tmp/backupfeed-hostile-\(UUID().uuidString.prefix(8)).db"
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let statement = template.replacingOccurrences(of: "%@", with: outside)
        // Outside a transaction: inside one SQLite refuses ATTACH and VACUUM on its own, which would prove nothing.
        let dump = "PRAGMA foreign_keys=OFF;\nCREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n\(statement)\n"
        let zip = try tmp.zip("Evil.1.zip", entries: [("dump.sql", Data(dump.utf8))])
        let work = tmp.url.appendingPathComponent("work")
        let report = await BackupVerifier.sqliteOnly(root: work).verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.check("restore")?.status == .failed)
        #expect(report.summary.contains("statement at line 4"))
        #expect(report.summary.contains("refused in the sandbox"))
        #expect(!FileManager.default.fileExists(atPath: outside))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty)
    }

    @Test func loadExtensionIsRefused() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dump = "PRAGMA foreign_keys=OFF;\nCREATE TABLE t(a);\nSELECT load_extension('/tmp/nothing.so');\n"
        let file = try tmp.file("x.1.sql", Data(dump.utf8))
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.summary.contains("line 3"))
    }

    @Test func endlessQueryIsStoppedByTheDeadline() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dump = """
            BEGIN TRANSACTION;
            CREATE TABLE t(a);
            WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;
            COMMIT;

            """
        let file = try tmp.file("x.1.sql", Data(dump.utf8))
        let work = tmp.url.appendingPathComponent("work")
        let started = ContinuousClock.now
        let report = await BackupVerifier.sqliteOnly(root: work)
            .verify(file: file, expectedSHA256: nil, policy: VerificationPolicy(timeoutSeconds: 1), previous: nil)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(report.verdict == .error)
        #expect(report.summary.contains("timed out"))
        #expect(report.check("teardown")?.status == .passed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty)
    }

    /// A server shutdown cancels running verifications: the run ends promptly as `error` and still tears down.
    @Test func cancelledRunStillTearsDown() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dump = "PRAGMA foreign_keys=OFF;\nCREATE TABLE t(a);\n"
            + "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;\n"
        let file = try tmp.file("x.1.sql", Data(dump.utf8))
        let work = tmp.url.appendingPathComponent("work")
        let verifier = BackupVerifier.sqliteOnly(root: work)
        let task = Task { await verifier.verify(file: file, expectedSHA256: nil, policy: .default, previous: nil) }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        task.cancel()
        let report = await task.value
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(report.verdict == .error)
        #expect(report.summary.hasPrefix("the run was cancelled"))
        #expect(report.check("teardown")?.status == .passed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty)
    }

    @Test func janitorRemovesStaleRunDirectoriesOnly() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        // pid 2^22 + 1 is above Linux's pid_max, so no process owns it.
        let stale = tmp.url.appendingPathComponent("run-4194305-deadbeef")
        let mine = tmp.url.appendingPathComponent("run-\(getpid())-\(RunDirectory.startTime(of: getpid()) ?? 0)-cafebabe")
        // Our pid, but another start time: a crashed process whose pid was reused since.
        let reused = tmp.url.appendingPathComponent("run-\(getpid())-12345-feedface")
        let foreign = tmp.url.appendingPathComponent("keep-me")
        for dir in [stale, mine, foreign, reused] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("sqlite-x"), withIntermediateDirectories: true)
        }
        let removed = await SandboxJanitor(root: tmp.url, logger: .init(label: "test")).sweep()
        #expect(Set(removed.map(\.lastPathComponent)) == ["run-4194305-deadbeef", reused.lastPathComponent])
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: mine.path))
        #expect(FileManager.default.fileExists(atPath: foreign.path))
    }
}
