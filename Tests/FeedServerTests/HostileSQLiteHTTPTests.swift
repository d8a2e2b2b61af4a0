import Foundation
import Testing

/// The probe's SQLite attacks pushed over real HTTP: the server keeps answering and verifying. Before the
/// restore moved into a sandboxed child, the fts3_tokenizer dump crashed the whole server (SIGSEGV) and
/// `PRAGMA hard_heap_limit=1` made every later request answer 500.
@Suite struct HostileSQLiteHTTPTests {
    static let fts3Crash = """
        PRAGMA foreign_keys=OFF;
        BEGIN TRANSACTION;
        CREATE TABLE keep(a);
        SELECT fts3_tokenizer('simple', x'4141414141414141');
        CREATE VIRTUAL TABLE t USING fts3(x, tokenize=simple);
        INSERT INTO t VALUES('boom');
        COMMIT;

        """

    static let heapLimit = """
        PRAGMA foreign_keys=OFF;
        BEGIN TRANSACTION;
        CREATE TABLE keep(a);
        PRAGMA hard_heap_limit=1;
        COMMIT;

        """

    @Test func hostileDumpsLeaveTheServerHealthy() async throws {
        let fts3 = try Verification.zip(Data(Self.fts3Crash.utf8))
        defer { Verification.discard(fts3) }
        let heap = try Verification.zip(Data(Self.heapLimit.utf8))
        defer { Verification.discard(heap) }
        let good = try Verification.zip(file: Verification.petclinic("petclinic.sqlite.sql"))
        defer { Verification.discard(good) }
        let sandbox = try Verification.privateSandbox()
        defer { try? FileManager.default.removeItem(at: sandbox) }
        try await Verification.withFeed(sandbox: sandbox) { _, feed in
            try await feed.push(fts3, id: "Evil", version: "1.0.0")
            let crash = try await feed.waitForVerdict("Evil", "1.0.0")
            #expect(crash.status == "failed", "\(crash)")
            #expect((crash["summary"] as? String)?.contains("fts3_tokenizer") == true, "\(crash)")
            #expect(try await feed.get("/health").status == 200)

            try await feed.push(heap, id: "Evil", version: "1.0.1")
            let limit = try await feed.waitForVerdict("Evil", "1.0.1")
            #expect(limit.status == "failed", "\(limit)")
            #expect((limit["summary"] as? String)?.contains("hard_heap_limit") == true, "\(limit)")
            #expect(try await feed.get("/health").status == 200)
            #expect(try await feed.get("/api/packages").status == 200)

            try await feed.push(good, id: "Good", version: "1.0.0")
            let passed = try await feed.waitForVerdict("Good", "1.0.0")
            #expect(passed.status == "passed", "\(passed)")
            let report = try #require(try await feed.reports("Good", "1.0.0").first)
            #expect(report.rows("owners") == 10)
        }
        #expect(Verification.runDirectories(in: sandbox).isEmpty)
        #expect(Verification.processes(mentioning: sandbox.path).isEmpty)
    }
}
