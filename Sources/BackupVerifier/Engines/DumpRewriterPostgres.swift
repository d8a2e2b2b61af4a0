import Foundation

/// Streaming rewrites for plain pg_dump and pg_dumpall output restored through psql by a non-superuser. Every
/// rule acts only on a line that starts a statement (a lexer follows strings, dollar quotes, comments and COPY
/// data, so a function body or a row that looks like SQL is never touched):
/// - our own `\restrict KEY` (random) goes first and the dump's `\restrict`/`\unrestrict`/`\encoding` lines are
///   dropped, so no line of the dump can leave psql's restricted mode: every other backslash command (`\!`,
///   `\copy`, …) then fails the restore;
/// - a single-database dump restores into the sandbox database: its `\connect`, `CREATE DATABASE`,
///   `ALTER DATABASE` and `COMMENT ON DATABASE` (pg_dump --create) are dropped;
/// - a cluster dump (pg_dumpall) restores each database into a sandbox database of its own: `CREATE DATABASE x …`
///   becomes `CREATE DATABASE <name we chose>` and `\connect x` our own `\unrestrict`/`\connect`/`\restrict`
///   lines naming it (the scanner has refused any `\connect` with a host, port, user or conninfo beforehand);
/// - roles are created stripped (`PostgresRoleStatements`), `ALTER ROLE`/`DROP ROLE` and tablespaces skipped;
/// - ownership and privileges are skipped (`ALTER … OWNER TO`, `GRANT`, `REVOKE`, `ALTER DEFAULT PRIVILEGES`,
///   `SET SESSION AUTHORIZATION`), like `pg_restore --no-owner --no-acl`: the restoring role is not a superuser;
/// - old pg_dump versions: `COMMENT ON EXTENSION plpgsql` (owned by the bootstrap superuser) is skipped,
///   `CREATE SCHEMA public` becomes `CREATE SCHEMA IF NOT EXISTS public`, superuser-only extensions are skipped;
/// - `SET name = …;` of a setting this server does not know (PostgreSQL 17's `transaction_timeout` on 15) is
///   skipped and reported, never silently.
struct PostgresDumpRules: DumpLineRules {
    /// Settings the server knows (`pg_settings`); dotted names (extension settings) are always accepted.
    let knownSettings: Set<String>
    let serverVersion: String
    let restrictKey: String
    let extensions: PostgresExtensions
    let facts: PostgresRestoreFacts
    private var lexer = StatementLexer(dialect: .postgres)
    private var databaseNames: SandboxDatabaseNames
    private var isCluster = false
    private var linesSeen = 0
    private var tally = RewriteTally()
    private var skippedSettings: [String] = []
    private var skippedOwnership = 0
    private var strippedRoles: Set<String> = []
    /// Attribute → the roles the dump gave it, in first-seen order (one report line per attribute).
    private var strippedAttributes: [(attribute: String, roles: [String])] = []
    /// A dropped or replaced line's statement goes on: its lines are dropped until a statement starts.
    private var skippingRestOfStatement = false
    private(set) var dropsRestOfLine = false

    init(
        knownSettings: Set<String>, serverVersion: String, restrictKey: String, mainDatabase: String = "backup",
        extensions: PostgresExtensions = PostgresExtensions(), facts: PostgresRestoreFacts = PostgresRestoreFacts()
    ) {
        self.knownSettings = knownSettings
        self.serverVersion = serverVersion
        self.restrictKey = restrictKey
        self.extensions = extensions
        self.facts = facts
        databaseNames = SandboxDatabaseNames(reserved: [mainDatabase, "template0", "template1", PostgresTemplate.targetDatabase])
    }

    /// The line that opens the restore, before any byte of the dump.
    var preamble: [UInt8] { Array("\\restrict \(restrictKey)\n".utf8) }

    var rewrites: [DumpRewrite] {
        tally.all + strippedAttributes.map { entry in
            let names = entry.roles.prefix(6).joined(separator: ", ") + (entry.roles.count > 6 ? ", …" : "")
            return DumpRewrite(from: entry.attribute, to: "(stripped from role\(entry.roles.count == 1 ? "" : "s") \(names))", occurrences: entry.roles.count)
        }
    }

    var notes: [String] {
        var notes = skippedSettings.map { "skipped `SET \($0)`: unknown to PostgreSQL \(serverVersion) (the dump comes from a newer server)" }
        if skippedOwnership > 0 {
            notes.append("restored without ownership and privileges (\(skippedOwnership) OWNER TO/GRANT/REVOKE statement(s) skipped): their roles do not exist in the sandbox")
        }
        let roles = facts.snapshot.roles
        if !roles.isEmpty {
            let stripped = strippedRoles.isEmpty ? "" : " (the dump gave \(strippedRoles.sorted().joined(separator: ", ")) privileged attributes or passwords)"
            notes.append("\(roles.count) role(s) created without SUPERUSER, REPLICATION, BYPASSRLS, CREATEROLE, CREATEDB, LOGIN or passwords\(stripped)")
        }
        let skipped = facts.snapshot.skippedExtensions
        if !skipped.isEmpty {
            notes.append("skipped superuser-only extension(s) \(skipped.joined(separator: ", ")): the restoring role is not a superuser")
        }
        return notes
    }

    mutating func passedThrough(_ bytes: UnsafeRawBufferPointer) { lexer.feed(bytes) }

    mutating func rewrite(_ line: UnsafeRawBufferPointer, complete: Bool, into output: inout [UInt8]) {
        let startsStatement = lexer.isBetweenStatements
        lexer.feed(line)
        linesSeen += 1
        dropsRestOfLine = false
        if skippingRestOfStatement {
            guard startsStatement else {
                dropsRestOfLine = !complete
                return
            }
            skippingRestOfStatement = false
        }
        guard startsStatement, complete, let first = line.first else {
            output.append(contentsOf: line)
            return
        }
        if linesSeen <= 5, !isCluster, DumpBytes.contains(line, "-- PostgreSQL database cluster dump") {
            isCluster = true
            facts.update { $0.isCluster = true }
        }
        if rewriteStatementStart(line, first: first, into: &output) {
            // The line was dropped or replaced: when its statement goes on past the line (a string, a list over
            // several lines), the rest goes with it. Passed on alone, it would be read by psql from a point
            // where the dump never had a statement start, and a string could end where the scanner saw none.
            skippingRestOfStatement = !lexer.isBetweenStatements
            return
        }
        output.append(contentsOf: line)
    }

    /// True when the line that starts a statement was dropped or replaced (replacements are in `output`).
    private mutating func rewriteStatementStart(_ line: UnsafeRawBufferPointer, first: UInt8, into output: inout [UInt8]) -> Bool {
        switch first {
        case UInt8(ascii: "\\"): return metaCommand(DumpBytes.text(line), into: &output)
        case UInt8(ascii: "C"): return create(line, into: &output)
        case UInt8(ascii: "A"): return alter(DumpBytes.text(line))
        case UInt8(ascii: "D"): return drop(DumpBytes.text(line))
        case UInt8(ascii: "G"):
            if DumpBytes.hasPrefix(line, "GRANT ") { skipPrivileges("GRANT"); return true }
        case UInt8(ascii: "R"):
            if DumpBytes.hasPrefix(line, "REVOKE ") { skipPrivileges("REVOKE"); return true }
            if DumpBytes.hasPrefix(line, "RESET SESSION AUTHORIZATION") { skipPrivileges("RESET SESSION AUTHORIZATION"); return true }
        case UInt8(ascii: "S"): return set(line, into: &output)
        case UInt8(ascii: "U"):
            // pg_dump --clean --create of template1: it unmarks the template to drop and recreate it.
            if DumpBytes.hasPrefix(line, "UPDATE pg_catalog.pg_database SET datistemplate") {
                tally.add(from: "UPDATE pg_catalog.pg_database SET datistemplate …", to: "(skipped: the sandbox's databases are its own)")
                return true
            }
        default:
            break
        }
        return false
    }

    // MARK: - psql meta-commands

    private mutating func metaCommand(_ text: String, into output: inout [UInt8]) -> Bool {
        if text.hasPrefix("\\restrict ") || text.hasPrefix("\\unrestrict ") {
            tally.add(from: "\\" + (text.dropFirst().split(separator: " ").first.map(String.init) ?? "") + " <dump's key>",
                      to: "(dropped: the restore runs under BackupFeed's own random \\restrict key)")
            return true
        }
        if text.hasPrefix("\\encoding ") {
            tally.add(from: text, to: "(dropped: each database section sets its client_encoding itself)")
            return true
        }
        guard text.hasPrefix("\\connect ") || text.hasPrefix("\\c ") else { return false }
        guard isCluster, case .database(let name) = PsqlConnectLine.parse(text) else {
            tally.add(from: text, to: "(dropped: everything restores into the sandbox database)")
            return true
        }
        let sandboxName = sandboxDatabase(for: name, into: &output)
        output.append(contentsOf: Array("\\unrestrict \(restrictKey)\n\\connect \(sandboxName)\n\\restrict \(restrictKey)\n".utf8))
        tally.add(from: "\\connect \(name)", to: "\\connect \(sandboxName) (a sandbox database of its own)")
        return true
    }

    /// The sandbox database for one of the dump's, created (by our own statement) the first time it is named.
    private mutating func sandboxDatabase(for dumpName: String, into output: inout [UInt8]) -> String {
        let (sandboxName, isNew) = databaseNames.name(for: dumpName)
        if isNew {
            output.append(contentsOf: Array("CREATE DATABASE \(sandboxName);\n".utf8))
            facts.update { $0.databases.append(.init(dumpName: dumpName, sandboxName: sandboxName)) }
        }
        return sandboxName
    }

    // MARK: - CREATE …

    private mutating func create(_ line: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        if DumpBytes.hasPrefix(line, "CREATE DATABASE ") {
            let text = DumpBytes.text(line)
            guard isCluster, let match = text.firstMatch(of: #/^CREATE DATABASE ("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)/#) else {
                tally.add(from: "CREATE DATABASE", to: "(skipped: everything restores into the sandbox database)")
                return true
            }
            let name = PostgresRoleStatements.identifier(String(match.output.1))
            let sandboxName = sandboxDatabase(for: name, into: &output)
            tally.add(from: "CREATE DATABASE \(name) WITH …", to: "CREATE DATABASE \(sandboxName) (template, encoding and locale of the sandbox)")
            return true
        }
        if DumpBytes.hasPrefix(line, "CREATE ROLE ") || DumpBytes.hasPrefix(line, "CREATE USER ") || DumpBytes.hasPrefix(line, "CREATE GROUP ") {
            guard case .create(let role, let stripped)? = PostgresRoleStatements.parse(DumpBytes.text(line)) else { return false }
            facts.update { if !$0.roles.contains(role) { $0.roles.append(role) } }
            output.append(contentsOf: Array((PostgresRoleStatements.createCall(for: role) + "\n").utf8))
            tally.add(from: "CREATE ROLE", to: "backupfeed_sandbox.create_role (NOSUPERUSER NOCREATEDB NOCREATEROLE NOLOGIN NOREPLICATION NOBYPASSRLS)")
            noteStripped(stripped, of: role)
            return true
        }
        if DumpBytes.hasPrefix(line, "CREATE EXTENSION "), let name = PostgresExtensions.created(by: DumpBytes.text(line)),
           let known = extensions.available[name], known.superuserOnly, !known.installed {
            facts.update { if !$0.skippedExtensions.contains(name) { $0.skippedExtensions.append(name) } }
            tally.add(from: "CREATE EXTENSION \(name)", to: "(skipped: only a superuser may create it)")
            return true
        }
        if DumpBytes.hasPrefix(line, "CREATE SCHEMA public;") {
            output.append(contentsOf: Array("CREATE SCHEMA IF NOT EXISTS public;".utf8) + DumpBytes.ending(line))
            tally.add(from: "CREATE SCHEMA public", to: "CREATE SCHEMA IF NOT EXISTS public (every new database has it; pg_dump before 11 created it)")
            return true
        }
        if DumpBytes.hasPrefix(line, "CREATE TABLESPACE ") {
            tally.add(from: "CREATE TABLESPACE", to: "(skipped: a tablespace is a directory of the source server; tables use the sandbox's default)")
            return true
        }
        if DumpBytes.hasPrefix(line, "CREATE PROCEDURAL LANGUAGE plpgsql") || DumpBytes.hasPrefix(line, "CREATE OR REPLACE PROCEDURAL LANGUAGE plpgsql") {
            tally.add(from: "CREATE PROCEDURAL LANGUAGE plpgsql", to: "(skipped: plpgsql is built in since PostgreSQL 9.0)")
            return true
        }
        if DumpBytes.hasPrefix(line, "COMMENT ON ") { return comment(DumpBytes.text(line)) }
        if DumpBytes.hasPrefix(line, "CREATE POLICY ") { createPolicyRoles(DumpBytes.text(line), into: &output) }
        return false
    }

    /// A row-level security policy names the roles it applies to (Supabase's `TO authenticated`); a single
    /// database's dump never creates them (roles are the cluster's), so the policy would fail with "role does
    /// not exist". They are created first, stripped like any dump role, and the policy restores as written.
    private mutating func createPolicyRoles(_ text: String, into output: inout [UInt8]) {
        let known = facts.snapshot.roles
        for role in PostgresRoleStatements.policyRoles(text) where !known.contains(role) {
            facts.update { $0.roles.append(role) }
            output.append(contentsOf: Array((PostgresRoleStatements.createCall(for: role) + "\n").utf8))
            tally.add(from: "CREATE POLICY … TO \(role)", to: "backupfeed_sandbox.create_role first (a cluster role the dump uses but does not create)")
        }
    }

    private mutating func comment(_ text: String) -> Bool {
        if let name = PostgresExtensions.commented(by: text) {
            let skipped = facts.snapshot.skippedExtensions.contains(name)
            guard skipped || extensions.available[name]?.installed == true || name == "plpgsql" else { return false }
            tally.add(from: "COMMENT ON EXTENSION \(name)", to: skipped ? "(skipped with its extension)" : "(skipped: the extension belongs to the sandbox's superuser)")
            return true
        }
        for (kind, why) in [("DATABASE", "it names the dump's database, not the sandbox's"), ("ROLE", "roles are created stripped, without comments"),
                            ("TABLESPACE", "tablespaces are skipped")] where text.hasPrefix("COMMENT ON \(kind) ") {
            tally.add(from: "COMMENT ON \(kind)", to: "(skipped: \(why))")
            return true
        }
        return false
    }

    // MARK: - ALTER … / DROP …

    private mutating func alter(_ text: String) -> Bool {
        if text.hasPrefix("ALTER "), let owner = text.firstMatch(of: #/ OWNER TO ("(?:[^"]|"")+"|[^\s;]+);$/#) {
            skippedOwnership += 1
            tally.add(from: "OWNER TO \(owner.output.1)", to: "(skipped: restored without ownership)")
            return true
        }
        if text.hasPrefix("ALTER DEFAULT PRIVILEGES ") { skipPrivileges("ALTER DEFAULT PRIVILEGES"); return true }
        if text.hasPrefix("ALTER DATABASE ") {
            tally.add(from: "ALTER DATABASE", to: "(skipped: it names the dump's database, not the sandbox's)")
            return true
        }
        if text.hasPrefix("ALTER TABLESPACE ") {
            tally.add(from: "ALTER TABLESPACE", to: "(skipped: tablespaces are skipped)")
            return true
        }
        guard case .alter(let role, let stripped)? = PostgresRoleStatements.parse(text) else { return false }
        tally.add(from: "ALTER ROLE", to: "(skipped: sandbox roles keep no attributes, passwords or settings)")
        noteStripped(stripped, of: role)
        return true
    }

    private mutating func drop(_ text: String) -> Bool {
        for kind in ["DATABASE", "ROLE", "USER", "GROUP", "TABLESPACE"] where text.hasPrefix("DROP \(kind) ") {
            tally.add(from: "DROP \(kind)", to: "(skipped: the sandbox starts empty; pg_dumpall --clean)")
            return true
        }
        return false
    }

    private mutating func noteStripped(_ attributes: [String], of role: String) {
        guard !attributes.isEmpty else { return }
        strippedRoles.insert(role)
        for attribute in attributes {
            if let index = strippedAttributes.firstIndex(where: { $0.attribute == attribute }) {
                if !strippedAttributes[index].roles.contains(role) { strippedAttributes[index].roles.append(role) }
            } else {
                strippedAttributes.append((attribute, [role]))
            }
        }
    }

    // MARK: - SET …

    private mutating func set(_ line: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        if DumpBytes.hasPrefix(line, "SET SESSION AUTHORIZATION ") { skipPrivileges("SET SESSION AUTHORIZATION"); return true }
        guard DumpBytes.hasPrefix(line, "SET ") else { return false }
        let text = DumpBytes.text(line)
        if let tablespace = text.firstMatch(of: #/^SET default_tablespace = (.+);$/#), tablespace.output.1 != "''" {
            output.append(contentsOf: Array("SET default_tablespace = '';".utf8) + DumpBytes.ending(line))
            tally.add(from: "SET default_tablespace = \(tablespace.output.1)", to: "SET default_tablespace = '' (tablespaces are skipped)")
            return true
        }
        if let skipped = unknownSetting(text) {
            skippedSettings.append(skipped)
            tally.add(from: "SET \(skipped)", to: "(skipped: unknown to PostgreSQL \(serverVersion))")
            return true
        }
        return false
    }

    private mutating func skipPrivileges(_ kind: String) {
        skippedOwnership += 1
        tally.add(from: kind, to: "(skipped: restored without privileges)")
    }

    /// `name = value` when the line sets a plain setting this server does not have.
    private func unknownSetting(_ text: String) -> String? {
        guard !knownSettings.isEmpty,
              let match = text.firstMatch(of: #/^SET ([A-Za-z_][A-Za-z0-9_]*) (?:=|TO) (.*);$/#) else { return nil }
        let name = match.output.1.lowercased()
        guard !knownSettings.contains(name) else { return nil }
        return "\(name) = \(match.output.2)"
    }
}
