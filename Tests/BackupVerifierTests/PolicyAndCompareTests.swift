import Foundation
import Testing
@testable import BackupVerifier

@Suite struct PolicyAndCompareTests {
    static func petclinicZip(_ tmp: TempDir, name: String = "PetClinicDB.2022.06.21.zip", dump: Data? = nil) throws -> URL {
        try tmp.zip(name, entries: [("dump.sql", try dump ?? Fixtures.data("petclinic/dumps/petclinic.sqlite.sql"))])
    }

    @Test func policyChecksPassAndFailWithReasons() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let policy = VerificationPolicy(checks: [
            PolicyCheck(name: "owners", sql: "select count(*) from owners", expect: "> 0"),
            PolicyCheck(name: "ten vets", sql: "SELECT count(*) FROM vets", expect: ">= 10"),
            PolicyCheck(name: "cats", sql: "select count(*) from pets where type_id = 1", expect: "== 4"),
        ])
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: try Self.petclinicZip(tmp), expectedSHA256: nil, policy: policy, previous: nil)
        #expect(report.check("check: owners")?.status == .passed)
        #expect(report.check("check: owners")?.detail == "owners has 10 rows (expected > 0)")
        #expect(report.check("check: ten vets")?.status == .failed)
        #expect(report.check("check: ten vets")?.detail == "vets has 6 rows, expected >= 10")
        #expect(report.check("check: cats")?.status == .passed)
        #expect(report.verdict == .failed)
        #expect(report.summary == "vets has 6 rows, expected >= 10")
    }

    @Test func emptyTableFailsTheSeedCheck() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let text = String(decoding: try Fixtures.data("petclinic/dumps/petclinic.sqlite.sql"), as: UTF8.self)
        let noOwners = text.split(separator: "\n").filter { !$0.hasPrefix("INSERT INTO owners") }.joined(separator: "\n") + "\n"
        let policy = VerificationPolicy(checks: [PolicyCheck(name: "owners", sql: "select count(*) from owners", expect: "> 0")])
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: try Self.petclinicZip(tmp, dump: Data(noOwners.utf8)), expectedSHA256: nil, policy: policy, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.summary == "owners has 0 rows, expected > 0")
    }

    @Test func checkOnMissingTableFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let policy = VerificationPolicy(checks: [PolicyCheck(name: "invoices", sql: "select count(*) from invoices", expect: "> 0")])
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: try Self.petclinicZip(tmp), expectedSHA256: nil, policy: policy, previous: nil)
        #expect(report.check("check: invoices")?.status == .failed)
        #expect(report.summary.contains("no such table: invoices"))
    }

    @Test func vanishedTableAndRowDropFailTheComparison() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let verifier = BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
        let first = await verifier.verify(file: try Self.petclinicZip(tmp), expectedSHA256: nil, policy: .default, previous: nil)
        #expect(first.check("compare")?.status == .skipped)
        let previous = PreviousRun(version: "2022.06.20", report: first)

        let same = await verifier.verify(file: try Self.petclinicZip(tmp, name: "b.zip"), expectedSHA256: nil, policy: .default, previous: previous)
        #expect(same.verdict == .passed)
        #expect(same.check("compare")?.status == .passed)

        let text = String(decoding: try Fixtures.data("petclinic/dumps/petclinic.sqlite.sql"), as: UTF8.self)
        let withoutVisits = text.replacingOccurrences(of: "COMMIT;", with: "DROP TABLE visits;\nCOMMIT;")
        let vanished = await verifier.verify(
            file: try Self.petclinicZip(tmp, name: "c.zip", dump: Data(withoutVisits.utf8)), expectedSHA256: nil, policy: .default,
            previous: previous)
        #expect(vanished.verdict == .failed)
        #expect(vanished.summary == "table visits is missing; 2022.06.20 had it with 4 rows")

        let fewerPets = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !($0.hasPrefix("INSERT INTO pets VALUES(") && !$0.hasPrefix("INSERT INTO pets VALUES(1,")) }
            .joined(separator: "\n")
        let dropped = await verifier.verify(
            file: try Self.petclinicZip(tmp, name: "d.zip", dump: Data(fewerPets.utf8)), expectedSHA256: nil, policy: .default,
            previous: previous)
        #expect(dropped.verdict == .failed, "\(dropped.text())")
        #expect(dropped.summary.hasPrefix("table pets has 1 rows; 2022.06.20 had 13"))
        var lenient = VerificationPolicy()
        lenient.maxRowDropPercent = 100
        let allowed = await verifier.verify(
            file: try Self.petclinicZip(tmp, name: "e.zip", dump: Data(fewerPets.utf8)), expectedSHA256: nil, policy: lenient,
            previous: previous)
        #expect(allowed.check("compare")?.status == .passed)
    }

    @Test func validatorNamesTheWrongField() {
        #expect(throws: Never.self) { try VerificationPolicy.default.validate() }
        let cases: [(VerificationPolicy, String)] = [
            (VerificationPolicy(checks: [PolicyCheck(name: "a", sql: "select 1", expect: "=> 1")]), "checks[0].expect"),
            (VerificationPolicy(checks: [PolicyCheck(name: "a", sql: "  ", expect: "> 1")]), "checks[0].sql"),
            (VerificationPolicy(checks: [PolicyCheck(name: "", sql: "select 1", expect: "> 1")]), "checks[0].name"),
            (VerificationPolicy(checks: [PolicyCheck(name: "a", sql: "select 1", expect: "> 0"),
                                         PolicyCheck(name: "A", sql: "select 1", expect: "> 0")]), "checks[1].name"),
            (VerificationPolicy(timeoutSeconds: -5), "timeoutSeconds"),
            (VerificationPolicy(maxRowDropPercent: 101), "maxRowDropPercent"),
            (VerificationPolicy(maxRowDropPercent: -1), "maxRowDropPercent"),
            (VerificationPolicy(dump: "../etc/passwd"), "dump"),
            (VerificationPolicy(dump: "/abs.sql"), "dump"),
            (VerificationPolicy(database: "x; drop"), "database"),
        ]
        for (policy, field) in cases {
            #expect(throws: PolicyValidationError.self) { try policy.validate() }
            do {
                try policy.validate()
            } catch {
                #expect(error.field == field)
            }
        }
    }

    @Test func invalidPolicyMakesAnErrorReport() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work")).verify(
            file: try Self.petclinicZip(tmp), expectedSHA256: nil, policy: VerificationPolicy(timeoutSeconds: 0), previous: nil)
        #expect(report.verdict == .error)
        #expect(report.summary.contains("timeoutSeconds"))
    }
}
