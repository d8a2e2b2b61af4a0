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
}
