import Foundation
import Testing

@testable import BackupVerifier

/// A single database's pg_dump uses roles it does not create (they belong to the cluster): row-level security
/// policies name them (Supabase's `TO anon, authenticated`). Such a dump is good, so it must restore: the
/// policies' roles are created first, stripped like every dump role, and the policies restore as written.
struct PostgresClusterRoleTests {
    static let fixture = "pg15-rls-policies-cluster-roles.sql"

    @Test func policyRolesAreReadFromEveryFormPgDumpWrites() {
        #expect(PostgresRoleStatements.policyRoles(
            #"CREATE POLICY "Profiles are viewable by everyone" ON public.profiles FOR SELECT TO anon, authenticated USING (true);"#)
            == ["anon", "authenticated"])
        #expect(PostgresRoleStatements.policyRoles(#"CREATE POLICY service_all ON public.profiles TO "service role" USING (true);"#) == ["service role"])
        #expect(PostgresRoleStatements.policyRoles("CREATE POLICY p ON t AS RESTRICTIVE FOR INSERT TO public, CURRENT_USER WITH CHECK ((id > 0));").isEmpty)
        #expect(PostgresRoleStatements.policyRoles(#"CREATE POLICY p ON s.t TO "public" USING (true);"#) == ["public"], "a quoted name is a real role")
        #expect(PostgresRoleStatements.policyRoles("CREATE POLICY p ON t USING ('x TO y' = 'z');").isEmpty, "no TO clause")
    }

    @Test func aDroppedStatementGoesWholeEvenOverSeveralLines() {
        let dump = "GRANT ALL ON TABLE t\n  TO \"x\";\nREVOKE ALL ON t FROM PUBLIC; SELECT 'a\n;';\nSELECT 1;\n"
        var rewriter = DumpRewriter(rules: DumpInvariants.makePostgresRules())
        var output: [UInt8] = []
        Array(dump.utf8).withUnsafeBytes { rewriter.feed($0, into: &output) }
        rewriter.finish(into: &output)
        #expect(String(decoding: output, as: UTF8.self) == "SELECT 1;\n")
    }

    @Test(.enabled(if: EngineTestSupport.runPostgres, "PostgreSQL is not installed (apt-get install postgresql)"),
          arguments: [(fixture, DumpFormat.pgPlain, "CREATE POLICY … TO authenticated"), ("pg15-rls-policies-cluster-roles.dump", .pgCustom, "POLICY … TO authenticated")])
    func policiesOnClusterRolesRestoreAsWritten(name: String, format: DumpFormat, rewrite: String) async throws {
        try await PostgresCorpus.restore(PostgresCorpus.url(name), format: format) { sandbox, outcome async throws in
            let restored = try outcome.get()
            #expect(try await PostgresCorpus.rowCounts(sandbox) == ["profiles": 12])
            #expect(try await sandbox.scalar("SELECT count(*) FROM pg_policies WHERE tablename = 'profiles'") == "4")
            #expect(try await sandbox.scalar("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service role') AND NOT rolcanlogin") == "anon,authenticated,service role")
            #expect(try await sandbox.scalar("SELECT roles::text FROM pg_policies WHERE policyname = 'service_all'") == "{\"service role\"}")
            #expect(try await PostgresCorpus.privilegedRoles(sandbox) == "[]")
            #expect(restored.rewrites.contains { $0.from == rewrite }, "\(restored.rewrites)")
        }
    }

    /// The same database as a directory archive (`pg_dump -Fd`, zipped), through the whole pipeline.
    @Test(.enabled(if: EngineTestSupport.runPostgres, "PostgreSQL is not installed (apt-get install postgresql)"))
    func directoryArchivePoliciesOnClusterRolesRestore() async throws {
        let report = try await PostgresPipeline.verify(PostgresCorpus.url("pg15-rls-policies-cluster-roles.dir.zip"))
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.format == "pg-dump-directory")
        #expect(report.tables.map(\.rows) == [12], "\(report.tables)")
        #expect(report.mappings.contains { $0.from == "POLICY … TO service role" }, "\(report.mappings)")
    }
}
