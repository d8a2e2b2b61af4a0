import Foundation
import Logging
import Testing

@testable import BackupVerifier

/// Restores through a real `postgres` started the way production starts it, as a non-superuser role.
@Suite(.enabled(if: EngineTestSupport.runPostgres, "PostgreSQL is not installed (apt-get install postgresql)"))
struct PostgresEngineTests {
    let engine = PostgresEngine(templateRoot: EngineTestSupport.templates)

    /// Restores `file` in a fresh sandbox, hands the sandbox to `inspect`, and always tears it down.
    @discardableResult
    func withRestored<T>(
        _ file: URL, format: DumpFormat = .pgPlain, _ inspect: (any DatabaseSandbox, RestoreOutcome) async throws -> T
    ) async throws -> T {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let sandbox = try await engine.makeSandbox(
            database: "verify", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        do {
            let outcome = try await sandbox.restore(EngineTestFile(file, format: format), deadline: EngineTestSupport.deadline())
            let value = try await inspect(sandbox, outcome)
            await sandbox.tearDown()
            EngineTestSupport.expectNothingLeft(in: work)
            return value
        } catch {
            await sandbox.tearDown()
            EngineTestSupport.expectNothingLeft(in: work)
            throw error
        }
    }

    func rowCounts(_ sandbox: any DatabaseSandbox) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in try await sandbox.tables() { counts[table] = try await sandbox.countRows(of: table) }
        return counts
    }

    static let petclinic = ["owners": 10, "pets": 13, "visits": 4, "vets": 6, "specialties": 3, "types": 6]

    @Test(arguments: [("petclinic.pg.sql", DumpFormat.pgPlain), ("petclinic.pg.dump", DumpFormat.pgCustom)])
    func petclinicRestoresWithExpectedRowCounts(file: String, format: DumpFormat) async throws {
        let counts = try await withRestored(EngineTestSupport.petclinic(file), format: format) { sandbox, outcome async throws in
            #expect(sandbox.engine.name == "postgres")
            #expect(sandbox.engine.version.hasPrefix("1"))
            #expect(try await sandbox.scalar("SELECT current_user") == "restorer")
            #expect(try await sandbox.scalar("SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user") == "false")
            #expect(try await sandbox.scalar("SELECT NULL") == nil)
            // Counted one by one (not from the all-tables query): a table that cannot be read fails the check.
            await #expect {
                _ = try await sandbox.countRows(of: "no_such_table")
            } throws: { error in
                guard case EngineError.restoreFailed(let reason) = error else { return false }
                return reason.contains("no_such_table")
            }
            if format == .pgPlain {
                // The dump's own \restrict line was replaced by ours, and its OWNER TO postgres skipped.
                #expect(outcome.rewrites.contains { $0.from == "\\restrict <dump's key>" })
                #expect(outcome.rewrites.contains { $0.from == "OWNER TO postgres" })
            }
            return try await rowCounts(sandbox)
        }
        for (table, rows) in Self.petclinic { #expect(counts[table] == rows, "\(table)") }
    }

    @Test func ownerRoleThatDoesNotExistIsSkippedAndReported() async throws {
        try await withRestored(EngineTestSupport.realworld("pg14-copy-owner-role.sql")) { sandbox, outcome async throws in
            #expect(outcome.rewrites.contains { $0.from == "OWNER TO ruser" && $0.occurrences == 2 })
            #expect(outcome.notes.contains { $0.contains("without ownership") })
            #expect(try await sandbox.countRows(of: "my_table") == 6)
        }
    }

    @Test func pgAdminStyleDumpRestores() async throws {
        try await withRestored(EngineTestSupport.realworld("pg15-pgadmin-toc-copy-books.sql")) { sandbox, _ async throws in
            #expect(try await rowCounts(sandbox) == ["books": 2])
        }
    }

    @Test func settingUnknownToThisServerIsSkippedAndReportedNeverSilently() async throws {
        try await withRestored(EngineTestSupport.realworld("pg17-restrict-transaction-timeout.sql")) { sandbox, outcome async throws in
            #expect(outcome.rewrites.contains { $0.from == "SET transaction_timeout = 0" && $0.occurrences == 1 })
            #expect(outcome.notes.contains { $0.contains("transaction_timeout") && $0.contains("unknown to PostgreSQL") })
            #expect(outcome.rewrites.contains { $0.from == "\\unrestrict <dump's key>" })
            #expect(try await sandbox.tables() == ["schema_migrations"])
        }
    }

    @Test func brokenDumpFailsWithTheServersReason() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump("CREATE TABLE t (id int);\nINSERT INTO missing VALUES (1);\n", in: work)
        do {
            try await withRestored(file) { _, _ in Issue.record("a broken dump restored") }
        } catch let EngineError.restoreFailed(reason) {
            #expect(reason.contains("relation \"missing\" does not exist"))
        }
    }

    @Test func truncatedCustomArchiveFails() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let whole = try Data(contentsOf: EngineTestSupport.petclinic("petclinic.pg.dump"))
        let file = work.appendingPathComponent("cut.dump")
        try whole.prefix(whole.count / 2).write(to: file)
        await #expect(throws: EngineError.self) {
            try await withRestored(file, format: .pgCustom) { _, _ in }
        }
    }

    @Test func missingInstallationIsReportedAsUnavailable() async throws {
        let engine = PostgresEngine(templateRoot: EngineTestSupport.templates, installRoot: URL(fileURLWithPath: "/nonexistent"))
        await #expect(throws: EngineError.unavailable("PostgreSQL is not installed: apt-get install postgresql")) {
            let work = try EngineTestSupport.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            _ = try await engine.makeSandbox(database: "x", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        }
    }
}
