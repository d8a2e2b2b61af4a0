import Foundation
import Logging
import Testing

@testable import BackupVerifier

/// The PostgreSQL corpus under `Tests/Fixtures/postgres` (see its SOURCES.md) and a way to restore into a real
/// sandbox the way production does.
enum PostgresCorpus {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/postgres", isDirectory: true)

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
    static func text(_ name: String) throws -> String { try String(contentsOf: url(name), encoding: .utf8) }
    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url(name))) }

    static let engine = PostgresEngine(templateRoot: EngineTestSupport.templates)

    /// Restores `file` in a fresh sandbox (database `verify`), hands the sandbox and the outcome (or the error)
    /// to `inspect` while the sandbox still runs, and always tears it down.
    static func restore<T>(
        _ file: URL, format: DumpFormat = .pgPlain,
        _ inspect: (any DatabaseSandbox, Result<RestoreOutcome, any Error>) async throws -> T
    ) async throws -> T {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let sandbox = try await engine.makeSandbox(
            database: "verify", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        let outcome: Result<RestoreOutcome, any Error>
        do {
            outcome = .success(try await sandbox.restore(EngineTestFile(file, format: format, chunkSize: 1000), deadline: EngineTestSupport.deadline()))
        } catch {
            outcome = .failure(error)
        }
        do {
            let value = try await inspect(sandbox, outcome)
            await sandbox.tearDown()
            EngineTestSupport.expectNothingLeft(in: work)
            return value
        } catch {
            await sandbox.tearDown()
            throw error
        }
    }

    static func rowCounts(_ sandbox: any DatabaseSandbox) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in try await sandbox.tables() { counts[table] = try await sandbox.countRows(of: table) }
        return counts
    }

    /// Roles besides the bootstrap superuser holding a privileged attribute, as `[a,b]` (must stay `[]` after any restore).
    static func privilegedRoles(_ sandbox: any DatabaseSandbox) async throws -> String {
        try await sandbox.scalar("""
            SELECT '[' || coalesce(string_agg(rolname, ',' ORDER BY rolname), '') || ']' FROM pg_roles
            WHERE rolname <> 'postgres' AND (rolsuper OR rolreplication OR rolbypassrls OR rolcreaterole)
            """) ?? "?"
    }

    /// Members of the roles that read or write server files or run programs.
    static func serverFileRoleMembers(_ sandbox: any DatabaseSandbox) async throws -> String {
        try await sandbox.scalar("""
            SELECT '[' || coalesce(string_agg(m.rolname || '>' || r.rolname, ','), '') || ']' FROM pg_auth_members a
            JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
            WHERE r.rolname IN ('pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program')
            """) ?? "?"
    }

    /// A dump text written to a temporary file for one test.
    static func temporary(_ text: String, name: String = "dump.sql") throws -> (url: URL, directory: URL) {
        let directory = try EngineTestSupport.workDirectory()
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return (url, directory)
    }

    static func failure(_ outcome: Result<RestoreOutcome, any Error>) -> EngineError? {
        if case .failure(let error) = outcome { return error as? EngineError }
        return nil
    }
}

/// The whole pipeline on a bare dump file with the PostgreSQL engine.
enum PostgresPipeline {
    static func verify(_ file: URL, policy: VerificationPolicy = .default) async throws -> VerificationReport {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let verifier = BackupVerifier(
            configuration: VerifierConfiguration(workRoot: work, engines: [.postgres: PostgresCorpus.engine]),
            logger: Logger(label: "test"))
        let report = await verifier.verify(file: file, expectedSHA256: nil, policy: policy, previous: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty, "sandbox left behind")
        return report
    }
}
