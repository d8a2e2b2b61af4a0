import Foundation
import Logging
import Testing
@testable import BackupVerifier

/// Cancellation, teardown and startup cleanup of run directories.
@Suite struct PipelineLifecycleTests {
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
        #expect(ContinuousClock.now - started < .seconds(20))
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
