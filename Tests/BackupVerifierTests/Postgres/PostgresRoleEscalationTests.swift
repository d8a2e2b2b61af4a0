import Foundation
import Testing

@testable import BackupVerifier

/// A dump that creates roles, or tries to regain privileges later in the file, never gives the sandbox a
/// superuser, a replication or BYPASSRLS role, CREATEROLE, or membership in the roles that read or write
/// server files or run programs; COPY … TO PROGRAM stays impossible. Each variant is checked in pg_roles and
/// pg_auth_members after the restore, whether the restore passed or was refused.
@Suite(.serialized, .enabled(if: EngineTestSupport.runPostgres, "PostgreSQL is not installed (apt-get install postgresql)"))
struct PostgresRoleEscalationTests {
    enum Expected: Sendable, CustomStringConvertible {
        /// Restored; the rewrite listed (from, to-prefix).
        case skipped(String, String)
        /// The restore fails, its reason holding this text.
        case refused(String)

        var description: String {
            switch self {
            case .skipped(let from, _): "skipped \(from)"
            case .refused(let text): "refused: \(text)"
            }
        }
    }

    static let variants: [(String, Expected)] = [
        ("ALTER ROLE restorer SUPERUSER;", .skipped("SUPERUSER", "(stripped from role restorer)")),
        ("ALTER USER restorer WITH REPLICATION BYPASSRLS;", .skipped("BYPASSRLS", "(stripped from role restorer)")),
        ("ALTER ROLE CURRENT_USER WITH CREATEROLE PASSWORD 'x';", .skipped("CREATEROLE", "(stripped from role current_user)")),
        ("ALTER ROLE restorer WITH PASSWORD 'SCRAM-SHA-256$4096:abc';", .skipped("PASSWORD", "(stripped from role restorer)")),
        ("CREATE USER evil SUPERUSER PASSWORD 'x';", .skipped("SUPERUSER", "(stripped from role evil)")),
        ("CREATE ROLE \"Evil Two\" WITH SUPERUSER REPLICATION BYPASSRLS LOGIN;", .skipped("REPLICATION", "(stripped from role Evil Two)")),
        ("SET SESSION AUTHORIZATION postgres;", .skipped("SET SESSION AUTHORIZATION", "(skipped")),
        ("GRANT pg_execute_server_program TO restorer;", .skipped("GRANT", "(skipped")),
        ("GRANT postgres TO restorer;", .skipped("GRANT", "(skipped")),
        ("SET ROLE postgres;", .refused("permission denied to set role \"postgres\"")),
        ("CREATE ROLE evil3;\nALTER ROLE evil3 SUPERUSER;\nGRANT evil3 TO restorer;\nSET ROLE evil3;", .refused("permission denied to set role \"evil3\"")),
        ("  GRANT pg_write_server_files TO restorer;", .refused("role \"pg_write_server_files\"")),
        ("SELECT 1; GRANT pg_read_server_files TO restorer;", .refused("role \"pg_read_server_files\"")),
        ("CREATE ROLE evil4\n  SUPERUSER;", .refused("must be superuser to create superusers")),
        ("DO $$ BEGIN EXECUTE 'ALTER ROLE restorer SUPERUSER'; END $$;", .refused("superuser")),
        ("COPY (SELECT 1) TO PROGRAM 'touch MARKER';", .refused("pg_execute_server_program")),
    ]

    @Test(arguments: variants.indices)
    func privilegesCannotBeRegained(index: Int) async throws {
        let (lines, expected) = Self.variants[index]
        let marker = EngineTestSupport.pwnedMarker()
        let base = try PostgresCorpus.text("pg15-bcrypt-copy.sql")
        let dump = base.replacingOccurrences(of: "SET row_security = off;\n", with: "SET row_security = off;\n\(lines.replacingOccurrences(of: "MARKER", with: marker))\n")
        #expect(dump != base)
        let (url, directory) = try PostgresCorpus.temporary(dump)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await PostgresCorpus.restore(url) { sandbox, outcome async throws in
            switch (expected, outcome) {
            case (.skipped(let from, let to), .success(let restored)):
                #expect(restored.rewrites.contains { $0.from == from && $0.to.hasPrefix(to) }, "\(restored.rewrites)")
                #expect(try await sandbox.countRows(of: "users") == 5)
            case (.refused(let text), .failure(EngineError.restoreFailed(let reason))):
                #expect(reason.contains(text), "\(reason)")
            default:
                Issue.record("expected \(expected), got \(outcome)")
            }
            #expect(try await PostgresCorpus.privilegedRoles(sandbox) == "[]")
            #expect(try await PostgresCorpus.serverFileRoleMembers(sandbox) == "[]")
            #expect(try await sandbox.scalar("SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user") == "false")
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    /// The restoring role itself: not a superuser, no CREATEROLE (which in PostgreSQL 15 could grant itself
    /// pg_execute_server_program), only CREATEDB for a pg_dumpall's databases.
    @Test func restoringRoleHasOnlyCreateDB() async throws {
        try await PostgresCorpus.restore(PostgresCorpus.url("pg96-plpgsql-comment.sql")) { sandbox, outcome async throws in
            _ = try outcome.get()
            #expect(try await sandbox.scalar("""
                SELECT concat_ws(',', rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls) FROM pg_roles WHERE rolname = current_user
                """) == "f,f,t,f,f")
            #expect(try await sandbox.scalar("SELECT count(*) FROM pg_roles WHERE rolsuper") == "1")
        }
    }

    @Test func roleStatementsAreParsedWhole() {
        #expect(PostgresRoleStatements.parse("CREATE ROLE app;") == .create(role: "app", stripped: []))
        #expect(PostgresRoleStatements.parse(#"CREATE ROLE "Tipomat_api";"#) == .create(role: "Tipomat_api", stripped: []))
        #expect(PostgresRoleStatements.parse(
            "ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS PASSWORD 'md5x';")
            == .alter(role: "postgres", stripped: ["SUPERUSER", "REPLICATION", "BYPASSRLS", "CREATEROLE", "CREATEDB", "LOGIN", "PASSWORD"]))
        #expect(PostgresRoleStatements.parse(
            "ALTER ROLE readers WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;")
            == .alter(role: "readers", stripped: []))
        #expect(PostgresRoleStatements.parse("CREATE ROLE evil4") == nil)
        #expect(PostgresRoleStatements.createCall(for: "a'b") == "SELECT backupfeed_sandbox.create_role(convert_from(decode('612762', 'hex'), 'UTF8'));")
    }
}
