import Foundation
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
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(report.verdict == .error)
        #expect(report.summary.contains("timed out"))
        #expect(report.check("teardown")?.status == .passed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty)
    }
}
