import Foundation
import Testing

@testable import BackupVerifier

/// Dumps from older pg_dump versions and dumps that need extensions: what a non-superuser sandbox cannot run
/// is skipped and listed (never a `failed` verdict for a good backup); a missing extension is `error` naming
/// the package that provides it.
@Suite(.enabled(if: EngineTestSupport.runPostgres, "PostgreSQL is not installed (apt-get install postgresql)"))
struct PostgresOldVersionTests {
    /// pg_dump 9.6.1 (a public project's export): `COMMENT ON EXTENSION plpgsql` ("must be owner of extension
    /// plpgsql" for anyone but the bootstrap superuser) and `SET default_with_oids` (removed in PostgreSQL 12).
    @Test func pg96CommentOnPlpgsqlIsSkippedAndListed() async throws {
        let report = try await PostgresPipeline.verify(PostgresCorpus.url("pg96-plpgsql-comment.sql"))
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.rows("games") == 13)
        #expect(report.mappings.contains {
            $0.from == "COMMENT ON EXTENSION plpgsql" && $0.to == "(skipped: the extension belongs to the sandbox's superuser)" && $0.occurrences == 1
        })
        #expect(report.mappings.contains { $0.from == "SET default_with_oids = false" })
        #expect(report.dumpTool == "pg_dump 9.6.1")
        #expect(report.sourceServer == "PostgreSQL 9.6.1")
    }

    @Test func createSchemaPublicBecomesIfNotExists() async throws {
        let text = """
            --
            -- PostgreSQL database dump
            --

            -- Dumped from database version 10.23
            -- Dumped by pg_dump version 10.23

            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;

            CREATE SCHEMA public;

            COMMENT ON SCHEMA public IS 'standard public schema';

            CREATE TABLE public.t (id integer);

            COPY public.t (id) FROM stdin;
            1
            \\.

            --
            -- PostgreSQL database dump complete
            --

            """
        let (url, directory) = try PostgresCorpus.temporary(text)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await PostgresCorpus.restore(url) { sandbox, outcome async throws in
            let restored = try outcome.get()
            #expect(restored.rewrites.contains { $0.from == "CREATE SCHEMA public" && $0.to.hasPrefix("CREATE SCHEMA IF NOT EXISTS public") })
            #expect(try await sandbox.countRows(of: "t") == 1)
        }
    }

    /// A real pg_dump 15 (plain and custom) of a database whose public schema was recreated and which holds
    /// adminpack, an extension only a superuser may create: skipped and listed, the data restored.
    @Test(arguments: [("pg15-recreated-public-adminpack.sql", DumpFormat.pgPlain), ("pg15-recreated-public-adminpack.dump", .pgCustom)])
    func superuserOnlyExtensionIsSkippedAndDataRestored(name: String, format: DumpFormat) async throws {
        try await PostgresCorpus.restore(PostgresCorpus.url(name), format: format) { sandbox, outcome async throws in
            let restored = try outcome.get()
            #expect(try await PostgresCorpus.rowCounts(sandbox) == ["accounts": 2])
            #expect(restored.notes.contains { $0.hasPrefix("skipped superuser-only extension(s) adminpack") }, "\(restored.notes)")
            #expect(restored.rewrites.contains { $0.from.hasSuffix("EXTENSION adminpack") && $0.to.contains("superuser") }, "\(restored.rewrites)")
            #expect(restored.rewrites.contains { $0.from == "COMMENT ON EXTENSION adminpack" }, "\(restored.rewrites)")
            #expect(try await sandbox.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'adminpack'") == "0")
        }
    }

    /// An extension the sandbox lacks: `error` naming it and the Debian package, never `failed`.
    @Test(arguments: [("postgis", "postgresql-15-postgis-3"), ("vector", "postgresql-15-pgvector")])
    func missingExtensionIsAnErrorNamingThePackage(name: String, package: String) async throws {
        let text = try PostgresCorpus.text("pg15-bcrypt-copy.sql").replacingOccurrences(
            of: "SET row_security = off;\n", with: "SET row_security = off;\n\nCREATE EXTENSION IF NOT EXISTS \(name) WITH SCHEMA public;\n")
        let (url, directory) = try PostgresCorpus.temporary(text, name: "needs-\(name).sql")
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try await PostgresPipeline.verify(url)
        #expect(report.verdict == .error, "\(report.text())")
        #expect(report.summary.contains("needs the PostgreSQL extension \(name), which is not installed here: install \(package)"), "\(report.summary)")
    }

    /// A trusted extension that is installed (uuid-ossp, pgcrypto ship with PostgreSQL) is created by the
    /// restoring role itself: passed.
    @Test func installedTrustedExtensionPasses() async throws {
        let text = try PostgresCorpus.text("pg15-bcrypt-copy.sql").replacingOccurrences(
            of: "SET row_security = off;\n", with: "SET row_security = off;\n\nCREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public;\nCOMMENT ON EXTENSION \"uuid-ossp\" IS 'generate universally unique identifiers (UUIDs)';\n")
        let (url, directory) = try PostgresCorpus.temporary(text)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await PostgresCorpus.restore(url) { sandbox, outcome async throws in
            _ = try outcome.get()
            #expect(try await sandbox.scalar("SELECT extname FROM pg_extension WHERE extname = 'uuid-ossp'") == "uuid-ossp")
        }
    }

    /// A pre-11 custom archive's table of contents (as `pg_restore -l` prints it for pg_dump 9.6): the
    /// `CREATE SCHEMA public` entry and plpgsql's comment are left out of the `-L` list and listed.
    @Test func oldArchiveListLeavesOutPublicAndPlpgsqlComment() throws {
        let toc = """
            ;
            ; Archive created at 2019-03-01 10:00:00 UTC
            ;     dbname: app
            ;     Dumped from database version: 9.6.11
            ;     Dumped by pg_dump version: 9.6.11
            ;
            3; 2615 2200 SCHEMA - public postgres
            2236; 0 0 COMMENT - SCHEMA public postgres
            1; 3079 12390 EXTENSION - plpgsql 
            2237; 0 0 COMMENT - EXTENSION plpgsql 
            2; 3079 16385 EXTENSION - adminpack 
            2238; 0 0 COMMENT - EXTENSION adminpack 
            186; 1259 16386 TABLE public t postgres
            2230; 0 16386 TABLE DATA public t postgres
            """
        let extensions = PostgresExtensions(rows: [["plpgsql", "t", "f", "t"], ["adminpack", "t", "f", "f"], ["pgcrypto", "t", "t", "f"]])
        let plan = try PostgresArchiveList.filter(toc, extensions: extensions, major: "15")
        #expect(!plan.list.contains("SCHEMA - public postgres\n") && plan.list.contains("COMMENT - SCHEMA public"))
        #expect(!plan.list.contains("COMMENT - EXTENSION plpgsql") && plan.list.contains("EXTENSION - plpgsql"))
        #expect(!plan.list.contains("adminpack") && plan.list.contains("TABLE DATA public t"))
        #expect(plan.skippedExtensions == ["adminpack"])
        #expect(plan.rewrites.map(\.from) == ["SCHEMA public", "COMMENT ON EXTENSION plpgsql", "EXTENSION adminpack", "COMMENT ON EXTENSION adminpack"])
        #expect(throws: EngineError.unavailable(
            "the archive needs the PostgreSQL extension postgis, which is not installed here: install postgresql-15-postgis-3")) {
            try PostgresArchiveList.filter(toc + "\n4; 3079 16400 EXTENSION - postgis ", extensions: extensions, major: "15")
        }
    }
}
