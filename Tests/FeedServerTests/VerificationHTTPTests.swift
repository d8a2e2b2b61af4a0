import Foundation
import Testing

/// Each engine end to end through the real server: a push over HTTP queues a verification, the worker restores
/// the dump into a real disposable database, and the verdict and report come back through the API.
@Suite struct VerificationHTTPTests {
    struct EngineCase: CustomTestStringConvertible, Sendable {
        let fixture: String
        let zipped: Bool
        let engine: String
        var testDescription: String { "\(fixture) \(zipped ? "zipped" : "bare") on \(engine)" }
    }

    static func expectPetclinicReport(_ feed: FeedClient, id: String, engine: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let verdict = try await feed.waitForVerdict(id, "1.0.0")
        #expect(verdict.status == "passed", "\(verdict)", sourceLocation: sourceLocation)
        #expect(verdict["finishedAt"] is String, sourceLocation: sourceLocation)
        let reports = try await feed.reports(id, "1.0.0")
        #expect(reports.count == 1, sourceLocation: sourceLocation)
        let report = try #require(reports.first, sourceLocation: sourceLocation)
        #expect(report["id"] as? Int == verdict["id"] as? Int, sourceLocation: sourceLocation)
        #expect(report.status == "passed", sourceLocation: sourceLocation)
        let engineInfo = report["engine"] as? [String: Any]
        #expect(engineInfo?["name"] as? String == engine, "\(report)", sourceLocation: sourceLocation)
        #expect((engineInfo?["version"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        for name in ["integrity", "readable"] {
            #expect(report.check(name)?["status"] as? String == "passed", "check \(name): \(report.checkNames)", sourceLocation: sourceLocation)
        }
        // A restore may pass with a warning (a PostgreSQL 17 setting this server lacks is skipped and noted).
        let restore = report.check("restore")
        #expect(["passed", "warning"].contains(restore?["status"] as? String ?? ""), "\(String(describing: restore))", sourceLocation: sourceLocation)
        #expect((restore?["detail"] as? String)?.contains("restored") == true, "\(String(describing: restore))", sourceLocation: sourceLocation)
        #expect(report.rows("owners") == 10, "\(report["tables"] ?? "")", sourceLocation: sourceLocation)
        #expect(report.rows("visits") == 4, sourceLocation: sourceLocation)
        let total = (report["timings"] as? [String: Any])?["total"] as? Double ?? 0
        #expect(total > 0, sourceLocation: sourceLocation)
        #expect((report["timings"] as? [String: Any])?["restore"] != nil, sourceLocation: sourceLocation)
    }

    @Test func sqliteDumpPassesThroughHTTP() async throws {
        try await verify(EngineCase(fixture: "petclinic.sqlite.sql", zipped: true, engine: "sqlite"), id: "PetSQLite")
    }

    @Test(.enabled(if: Verification.runMariaDB, "needs mariadb-server (CI installs it)"))
    func mariaDBDumpPassesThroughHTTP() async throws {
        try await verify(EngineCase(fixture: "petclinic.mariadb.sql", zipped: true, engine: "mariadb"), id: "PetMariaDB")
    }

    @Test(.enabled(if: Verification.runPostgres, "needs postgresql (CI installs it)"), arguments: [
        EngineCase(fixture: "petclinic.pg.sql", zipped: true, engine: "postgres"),
        EngineCase(fixture: "petclinic.pg.dump", zipped: false, engine: "postgres"),
    ])
    func postgresDumpsPassThroughHTTP(_ engineCase: EngineCase) async throws {
        try await verify(engineCase, id: engineCase.zipped ? "PetPgPlain" : "PetPgCustom")
    }

    private func verify(_ engineCase: EngineCase, id: String) async throws {
        let source = Verification.petclinic(engineCase.fixture)
        let file = engineCase.zipped ? try Verification.zip(file: source) : source
        defer { if engineCase.zipped { Verification.discard(file) } }
        try await Verification.withFeed { _, feed in
            try await feed.push(file, id: id, version: "1.0.0", ext: engineCase.zipped ? ".zip" : "." + source.pathExtension)
            try await Self.expectPetclinicReport(feed, id: id, engine: engineCase.engine)
        }
    }

    /// A MySQL 8 dump with utf8mb4_0900_ai_ci restores into MariaDB, and the report says which collation it mapped.
    @Test(.enabled(if: Verification.runMariaDB, "needs mariadb-server (CI installs it)"))
    func mysql8DumpPassesWithCollationMappings() async throws {
        let zip = try Verification.zip(file: Verification.realworld("mysql80-utf8mb4-0900-cyrillic-books.sql"))
        defer { Verification.discard(zip) }
        try await Verification.withFeed { _, feed in
            try await feed.push(zip, id: "Books", version: "8.0.1")
            let verdict = try await feed.waitForVerdict("Books", "8.0.1")
            #expect(verdict.status == "passed", "\(verdict)")
            let report = try #require(try await feed.reports("Books", "8.0.1").first)
            #expect((report["engine"] as? [String: Any])?["name"] as? String == "mariadb")
            let mappings = report["mappings"] as? [[String: Any]] ?? []
            #expect(!mappings.isEmpty, "\(report)")
            #expect(mappings.contains { $0["from"] as? String == "utf8mb4_0900_ai_ci" && ($0["to"] as? String)?.isEmpty == false }, "\(mappings)")
            #expect(mappings.allSatisfy { ($0["occurrences"] as? Int ?? 0) > 0 })
        }
    }
}
