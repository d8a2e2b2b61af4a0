import Foundation
import Testing

@testable import BackupVerifier

/// pg_dumpall output: each database restored into a sandbox database of its own and reported as
/// `database.schema.table`; roles created stripped; `\connect` followed only in the one form pg_dumpall writes.
@Suite(.serialized, .enabled(if: EngineTestSupport.runPostgres, "PostgreSQL is not installed (apt-get install postgresql)"))
struct PostgresDumpallTests {
    /// pg_dumpall 15.18 of a cluster with roles (one SUPERUSER REPLICATION BYPASSRLS CREATEROLE with a password),
    /// a membership, a GRANT, databases `shop` (bcrypt hashes in COPY data), `Odd-Name` (reached by
    /// `\connect -reuse-previous=on "dbname='Odd-Name'"` after `\encoding SQL_ASCII`) and a table in `postgres`.
    static let expectedTables = [
        "Odd-Name.public.t": 2, "postgres.public.in_postgres": 1,
        "shop.public.orders": 20, "shop.public.secrets": 3, "shop.public.users": 5,
    ]

    @Test(arguments: ["pg15-dumpall.sql", "pg15-dumpall-clean.sql"])
    func everyDatabaseIsRestoredAndNamed(fixture: String) async throws {
        try await PostgresCorpus.restore(PostgresCorpus.url(fixture)) { sandbox, outcome async throws in
            let restored = try outcome.get()
            #expect(try await PostgresCorpus.rowCounts(sandbox) == Self.expectedTables)
            let note = try #require(restored.notes.first { $0.hasPrefix("pg_dumpall: 4 database(s) restored") })
            #expect(note.contains("Odd-Name (as odd_name)") && note.contains("shop") && note.contains("template1 (as restored_template1)"))
            #expect(restored.rewrites.contains { $0.from == "\\connect shop" && $0.to.hasPrefix("\\connect shop ") })
            #expect(restored.rewrites.contains { $0.from == "\\connect Odd-Name" && $0.to.hasPrefix("\\connect odd_name ") })
            #expect(restored.rewrites.contains { $0.from == "\\encoding SQL_ASCII" })
            // Each privileged attribute and the passwords are listed as stripped, with the role named.
            let stripped = Dictionary(restored.rewrites.map { ($0.from, $0) }, uniquingKeysWith: { first, _ in first })
            for attribute in ["SUPERUSER", "REPLICATION", "BYPASSRLS", "CREATEROLE"] {
                #expect(stripped[attribute]?.to == "(stripped from roles admin_bot, postgres)", "\(attribute)")
                #expect(stripped[attribute]?.occurrences == 2)
            }
            #expect(stripped["PASSWORD"]?.to == "(stripped from roles admin_bot, app_owner)")
            #expect(stripped["CREATEDB"]?.to == "(stripped from roles app_owner, postgres)")
            #expect(restored.notes.contains { $0.hasPrefix("4 role(s) created without SUPERUSER, REPLICATION, BYPASSRLS") })
            #expect(try await PostgresCorpus.privilegedRoles(sandbox) == "[]")
            #expect(try await sandbox.scalar("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('admin_bot', 'app_owner', 'readers')")
                == "admin_bot,app_owner,readers")
            #expect(try await sandbox.scalar("SELECT count(*) FROM pg_roles WHERE rolcanlogin AND rolname NOT IN ('postgres', 'restorer')") == "0")
            // Policy checks run in the dump's first database with tables.
            #expect(try await sandbox.scalar("SELECT count(*) FROM users") == "5")
        }
    }

    @Test func globalsOnlyIsRecognisedAndPasses() async throws {
        let report = try await PostgresPipeline.verify(PostgresCorpus.url("pg15-dumpall-globals.sql"))
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.summary.hasPrefix("globals only: 4 roles, no databases"), "\(report.summary)")
        #expect(report.check("tables")?.detail == "globals only: 4 roles, no databases")
        #expect(report.dumpTool == "pg_dumpall")
        #expect(report.mappings.contains { $0.from == "SUPERUSER" && $0.to == "(stripped from roles admin_bot, postgres)" && $0.occurrences == 2 })
    }

    @Test func dumpallThroughThePipelineNamesEachDatabase() async throws {
        let report = try await PostgresPipeline.verify(PostgresCorpus.url("pg15-dumpall.sql"))
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(Set(report.tables.map(\.name)) == Set(Self.expectedTables.keys))
        #expect(report.dumpTool == "pg_dumpall 15.18")
        #expect(report.sourceServer == "PostgreSQL 15.18")
        #expect(report.check("restore")?.detail.contains("pg_dumpall: 4 database(s) restored") == true)
    }

    /// Every `\connect` that could reach anything but a sandbox database is refused before psql sees it.
    @Test(arguments: [
        #"\connect -reuse-previous=on "dbname=x host=evil""#,
        #"\connect -reuse-previous=on "dbname='shop' port=5433""#,
        #"\connect shop someone evil.example 5432"#,
        #"\connect "host=/tmp dbname=shop""#,
        #"\c postgresql://evil.example/shop"#,
        #"\connect -reuse-previous=off shop"#,
        #"\connect `touch /tmp/pwned`"#,
        #"\connect :evil"#,
        #"\connect 'shop'"#,
    ])
    func hostileConnectIsRefused(line: String) async throws {
        let dump = try PostgresCorpus.text("pg15-dumpall.sql").replacingOccurrences(of: "\\connect shop\n", with: line + "\n")
        #expect(dump.contains(line))
        let (url, directory) = try PostgresCorpus.temporary(dump)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await PostgresCorpus.restore(url) { sandbox, outcome async throws in
            guard case .restoreFailed(let reason)? = PostgresCorpus.failure(outcome) else {
                Issue.record("not refused: \(outcome)")
                return
            }
            #expect(reason.contains("is refused") && reason.contains("a restore connects only to its own sandbox databases"), "\(reason)")
            #expect(try await PostgresCorpus.privilegedRoles(sandbox) == "[]")
        }
    }

    @Test func connectArgumentsAreParsedAsPgDumpWritesThem() {
        #expect(PsqlConnectLine.parse("\\connect shop") == .database("shop"))
        #expect(PsqlConnectLine.parse("\\c shop") == .database("shop"))
        #expect(PsqlConnectLine.parse(#"\connect "Odd ""quoted"" Name""#) == .database(#"Odd "quoted" Name"#))
        #expect(PsqlConnectLine.parse(#"\connect -reuse-previous=on "dbname='Odd-Name'""#) == .database("Odd-Name"))
        #expect(PsqlConnectLine.parse(#"\connect -reuse-previous=on "dbname='it\'s'""#) == .database("it's"))
        guard case .refused(let why) = PsqlConnectLine.parse(#"\connect -reuse-previous=on "dbname=x host=evil""#) else {
            Issue.record("accepted a host")
            return
        }
        #expect(why.contains("more than the database name"))
    }

    @Test func sandboxDatabaseNamesNeverCarryDumpText() {
        var names = SandboxDatabaseNames(reserved: ["verify", "template1"])
        #expect(names.name(for: "shop") == ("shop", true))
        #expect(names.name(for: "shop") == ("shop", false))
        #expect(names.name(for: "Odd-Name").name == "odd_name")
        #expect(names.name(for: "odd_name").name == "odd_name_2")
        #expect(names.name(for: "verify").name == "verify_2")
        #expect(names.name(for: "template1").name == "restored_template1")
        #expect(names.name(for: "x\"; \\! rm -rf /").name == "x______rm__rf__")
        #expect(names.name(for: "9lives").name == "db_9lives")
    }
}

/// The rewritten stream of a pg_dumpall, without a server: what psql would be fed.
struct PostgresDumpallRewriteTests {
    static func rewritten(_ name: String) throws -> (text: String, facts: PostgresRestoreFacts.State) {
        let facts = PostgresRestoreFacts()
        var rewriter = DumpRewriter(rules: PostgresDumpRules(
            knownSettings: [], serverVersion: "15.18", restrictKey: "OURKEY", mainDatabase: "verify", facts: facts))
        var output: [UInt8] = []
        let bytes = try PostgresCorpus.bytes(name)
        for start in stride(from: 0, to: bytes.count, by: 500) {
            bytes[start..<min(bytes.count, start + 500)].withUnsafeBytes { rewriter.feed($0, into: &output) }
        }
        rewriter.finish(into: &output)
        return (String(decoding: output, as: UTF8.self), facts.snapshot)
    }

    @Test func connectLinesAreOursAndNamesAreChosen() throws {
        let (text, facts) = try Self.rewritten("pg15-dumpall.sql")
        // psql meta-command lines (COPY data rows such as `\N\t…` or `\\connect …` are not: uppercase, or `\\`).
        let metaLines = text.split(separator: "\n").filter { $0.wholeMatch(of: #/\\[a-z]+ .*/#) != nil }.map(String.init)
        // Only our own lines: \unrestrict / \connect <chosen name> / \restrict, with our key.
        #expect(Set(metaLines) == [
            "\\unrestrict OURKEY", "\\restrict OURKEY", "\\connect restored_template1", "\\connect odd_name", "\\connect postgres",
            "\\connect shop",
        ])
        #expect(facts.databases.map(\.dumpName) == ["template1", "Odd-Name", "postgres", "shop"])
        #expect(facts.roles == ["admin_bot", "app_owner", "postgres", "readers"])
        #expect(facts.isCluster)
        #expect(!text.contains("PASSWORD") && !text.contains("ALTER ROLE") && !text.contains("SUPERUSER"))
        #expect(!text.contains("TEMPLATE = template0") && text.contains("CREATE DATABASE odd_name;\n"))
        // The COPY data of every database is untouched.
        #expect(text.contains("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"))
        #expect(text.contains("\\\\connect -reuse-previous=on host=evil\t$1$salt$hash\t\\N\n"))
    }

    @Test func globalsOnlyHasRolesAndNoDatabase() throws {
        let (text, facts) = try Self.rewritten("pg15-dumpall-globals.sql")
        #expect(facts.databases.isEmpty && facts.roles.count == 4)
        #expect(!text.contains("\\connect"))
    }

    @Test func singleDatabaseDumpStillRestoresIntoTheSandboxDatabase() throws {
        let dump = "CREATE DATABASE shop WITH TEMPLATE = template0;\n\\connect shop\nCREATE TABLE t (a int);\n"
        let (text, facts) = try PostgresRewriteHarness.rewrite(dump)
        #expect(text == "CREATE TABLE t (a int);\n")
        #expect(facts.databases.isEmpty)
    }

    /// A line that only looks like a statement, inside a dollar-quoted body, is never rewritten.
    @Test func linesInsideFunctionBodiesAreNotRewritten() throws {
        let dump = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\nGRANT x TO y;\nALTER ROLE r SUPERUSER;\nEND\n$$;\nGRANT SELECT ON t TO r;\n"
        let (text, _) = try PostgresRewriteHarness.rewrite(dump)
        #expect(text == "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\nGRANT x TO y;\nALTER ROLE r SUPERUSER;\nEND\n$$;\n")
    }
}

enum PostgresRewriteHarness {
    static func rewrite(_ dump: String) throws -> (text: String, facts: PostgresRestoreFacts.State) {
        let facts = PostgresRestoreFacts()
        var rewriter = DumpRewriter(rules: PostgresDumpRules(knownSettings: [], serverVersion: "15.18", restrictKey: "K", facts: facts))
        var output: [UInt8] = []
        Array(dump.utf8).withUnsafeBytes { rewriter.feed($0, into: &output) }
        rewriter.finish(into: &output)
        return (String(decoding: output, as: UTF8.self), facts.snapshot)
    }
}
