import Foundation
import Logging
import Testing
@testable import BackupVerifier

/// The whole pipeline (zip → detect → completeness → restore → inspect → teardown) with the real MariaDB and
/// PostgreSQL engines: proves the archive reader streams into the server engines and the report is filled.
@Suite(.serialized) struct ServerEnginePipelineTests {
    static func verifier(work: URL) -> BackupVerifier {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let templates = EngineTestSupport.templates
        return BackupVerifier(
            configuration: VerifierConfiguration(workRoot: work, engines: [
                .sqlite: SQLiteEngine(),
                .mariadb: MariaDBEngine(templateRoot: templates),
                .postgres: PostgresEngine(templateRoot: templates),
            ]),
            logger: logger)
    }

    static func verifyZipped(_ fixture: String, policy: VerificationPolicy = .default) async throws -> VerificationReport {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let zip = try tmp.zip("PetClinicDB.2022.06.20.zip", entries: [("dump.sql", try Fixtures.data(fixture))])
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = await verifier(work: work).verify(file: zip, expectedSHA256: nil, policy: policy, previous: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty, "sandbox left behind")
        return report
    }

    static let seedCheck = VerificationPolicy(checks: [PolicyCheck(name: "owners", sql: "select count(*) from owners", expect: "> 0")])

    @Test(.enabled(if: EngineTestSupport.runMariaDB))
    func mariaDBDumpPassesThroughThePipeline() async throws {
        let report = try await Self.verifyZipped("petclinic/dumps/petclinic.mariadb.sql", policy: Self.seedCheck)
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.engine?.name == "mariadb")
        #expect(report.rows("owners") == 10 && report.rows("pets") == 13 && report.rows("visits") == 4)
        #expect(report.check("check: owners")?.detail == "owners has 10 rows (expected > 0)")
    }

    @Test(.enabled(if: EngineTestSupport.runPostgres), arguments: ["petclinic/dumps/petclinic.pg.sql", "petclinic/dumps/petclinic.pg.dump"])
    func postgresDumpsPassThroughThePipeline(fixture: String) async throws {
        let report = try await Self.verifyZipped(fixture, policy: Self.seedCheck)
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.engine?.name == "postgres")
        #expect(report.rows("owners") == 10 && report.rows("pets") == 13 && report.rows("visits") == 4)
    }

    /// Every real-world dump gets the verdict SOURCES.md implies, through the whole pipeline (bare file push).
    @Test(arguments: [
        "mariadb-10.11-sandbox-emoji.sql", "mariadb-10.4-win-trigger.sql", "mysql57-utf8mb3-chinese-comments.sql",
        "mysql80-procedures-cyrillic-demo.sql", "mysql80-triggers-macos-mixedcase.sql", "mysql80-utf8mb4-0900-cyrillic-books.sql",
        "mysql80-views-definer-spanish-identifiers.sql", "pg14-copy-owner-role.sql", "pg15-pgadmin-toc-copy-books.sql",
        "pg17-restrict-transaction-timeout.sql", "sqlite-dump-pihole-gravity-v1.sql",
    ])
    func realworldDumpGetsItsVerdict(name: String) async throws {
        let isMySQL = name.hasPrefix("mysql") || name.hasPrefix("mariadb")
        let isPostgres = name.hasPrefix("pg")
        if isMySQL, !EngineTestSupport.runMariaDB { return }
        if isPostgres, !EngineTestSupport.runPostgres { return }
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = await Self.verifier(work: work).verify(
            file: Fixtures.url("realworld/\(name)"), expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(!report.tables.isEmpty)
        if name.contains("0900") || name.hasPrefix("mysql80") {
            // MySQL 8 collations MariaDB lacks are mapped, and the report says so.
            #expect(!report.mappings.isEmpty, "\(report.text())")
        }
        if name.hasPrefix("pg17") {
            // Never a silent pass: the skipped PostgreSQL 17 setting is a warning in the report.
            #expect(report.check("restore")?.status == .warning, "\(report.text())")
        }
    }
}

/// A dump that makes its database write without end is stopped at the run's disk limit with `error`.
@Suite struct SandboxDiskLimitTests {
    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func aRunPastItsDiskLimitEndsInErrorAndLeavesNothing() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        // About 60 MB of incompressible rows, far past a limit of a few MB above the empty cluster.
        let dump = """
            --
            -- PostgreSQL database dump
            --

            CREATE TABLE filler (v text);
            INSERT INTO filler SELECT string_agg(md5(random()::text || g::text || h::text), '') FROM generate_series(1, 2000) g, generate_series(1, 1000) h GROUP BY h;
            SELECT 1;

            --
            -- PostgreSQL database dump complete
            --

            """
        let zip = try tmp.zip("Filler.1.0.zip", entries: [("dump.sql", Data(dump.utf8))])
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let template = try #require(try FileManager.default.contentsOfDirectory(at: EngineTestSupport.templates, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("postgres-") && !$0.lastPathComponent.hasPrefix(".") }, "run the PostgreSQL engine tests first")
        let clusterBytes = SandboxDiskWatch.allocatedBytes(under: template)
        var policy = VerificationPolicy()
        policy.maxSandboxBytes = Int64(clusterBytes) + 8 << 20
        let report = await ServerEnginePipelineTests.verifier(work: work).verify(file: zip, expectedSHA256: nil, policy: policy, previous: nil)
        #expect(report.verdict == .error, "\(report.text())")
        #expect(report.checks.contains { $0.detail.contains("disk limit") }, "\(report.text())")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty, "sandbox left behind")
    }

    @Test func theFreeSpaceFloorIsWatchedToo() throws {
        let directory = FileManager.default.temporaryDirectory
        let watch = SandboxDiskWatch(directory: directory, maxBytes: .max, freeSpaceFloor: .max)
        #expect(watch.check()?.contains("free-space floor") == true)
        #expect(SandboxDiskWatch(directory: directory, maxBytes: .max, freeSpaceFloor: 0).check() == nil)
    }
}
