import Foundation
import Subprocess

/// The table of contents of a pg_dump archive (`pg_restore -l`), filtered into the `-L` list the restore uses:
/// entries a non-superuser sandbox cannot and need not run are left out and reported, an extension the sandbox
/// does not have stops the run as `error` naming its package, an archive too new for this pg_restore as `error`
/// naming the version it needs.
struct PostgresArchiveList {
    var list: String
    var rewrites: [DumpRewrite]
    var skippedExtensions: [String]

    static func plan(
        _ source: some DumpSource, sandbox: PostgresSandbox, extensions: PostgresExtensions, format: [String] = [],
        deadline: ContinuousClock.Instant
    ) async throws -> PostgresArchiveList {
        // pg_restore -l reads the header and the table of contents only, then closes its input: `fed` is then nil.
        let (result, _) = try await sandbox.runClient("pg_restore", format + ["-l"], deadline: deadline) { writer in
            try await source.stream { chunk in _ = try await writer.write(Array(chunk)) }
        }
        guard result.succeeded else {
            if result.output.contains("unsupported version") {
                let head = (try? await DumpHead.read(source, maxBytes: 4096)) ?? []
                let origin = PostgresDumpOrigin.read(head: head)
                let needed = origin?.toolMajor.map { " (it needs PostgreSQL \($0)'s pg_restore: install postgresql-\($0))" } ?? ""
                throw EngineError.unavailable(
                    "the archive was made by \(origin?.dumpTool ?? "a newer pg_dump"), newer than PostgreSQL \(sandbox.binaries.version), the newest installed here, can read\(needed): \(errorLine(result.output))")
            }
            throw EngineError.restoreFailed("pg_restore cannot read the archive's table of contents: \(errorLine(result.output))")
        }
        return try filter(result.output, extensions: extensions, major: String(sandbox.binaries.version.prefix { $0 != "." }))
    }

    /// Keeps every entry but those the sandbox must leave out; throws `unavailable` for a missing extension.
    static func filter(_ toc: String, extensions: PostgresExtensions, major: String) throws -> PostgresArchiveList {
        var tally = RewriteTally()
        var skipped: [String] = []
        var kept: [Substring] = []
        let lines = toc.split(separator: "\n", omittingEmptySubsequences: false)
        // Extensions first: a COMMENT entry can come before its EXTENSION entry in the list.
        for line in lines {
            guard let name = entry(line, kind: "EXTENSION") else { continue }
            guard let known = extensions.available[name] else {
                throw EngineError.unavailable(
                    "the archive needs the PostgreSQL extension \(name), which is not installed here: install \(PostgresExtensions.package(for: name, major: major))")
            }
            if known.superuserOnly, !known.installed, !skipped.contains(name) { skipped.append(name) }
        }
        for line in lines {
            if let name = entry(line, kind: "EXTENSION"), skipped.contains(name) {
                tally.add(from: "EXTENSION \(name)", to: "(left out: only a superuser may create it)")
                continue
            }
            if let name = entry(line, kind: "COMMENT", extra: "EXTENSION") {
                if skipped.contains(name) {
                    tally.add(from: "COMMENT ON EXTENSION \(name)", to: "(left out with its extension)")
                    continue
                }
                if extensions.available[name]?.installed == true {
                    tally.add(from: "COMMENT ON EXTENSION \(name)", to: "(left out: the extension belongs to the sandbox's superuser)")
                    continue
                }
            }
            // The sandbox's own schema (its role-creating function) exists in every sandbox database; a dump of a
            // database that was itself made from a BackupFeed template carries it too, and it is never the dump's data.
            if entry(line, kind: "SCHEMA") == PostgresArchiveList.sandboxSchema || namespace(line) == PostgresArchiveList.sandboxSchema {
                tally.add(from: "\(PostgresArchiveList.sandboxSchema) objects", to: "(left out: the verifier's own schema)")
                continue
            }
            if entry(line, kind: "SCHEMA") == "public" {
                tally.add(from: "SCHEMA public", to: "(left out: every new database has it; pg_dump before 11 created it)")
                continue
            }
            kept.append(line)
        }
        return PostgresArchiveList(list: kept.joined(separator: "\n"), rewrites: tally.all, skippedExtensions: skipped)
    }

    static let sandboxSchema = "backupfeed_sandbox"

    /// The kept entries that are row-level security policies.
    var policyEntries: [Substring] { Self.policyEntries(in: list) }

    /// The entries of a `pg_restore -l` list that are row-level security policies
    /// (`id; catalog oid POLICY schema table name owner`).
    static func policyEntries(in list: String) -> [Substring] {
        list.split(separator: "\n").filter { line in
            let fields = Self.fields(line)
            return fields.count >= 3 && fields[2] == "POLICY"
        }
    }

    /// The roles the archive's policies apply to: a single database's archive uses cluster roles it does not create
    /// (Supabase's `TO authenticated`), and pg_restore would stop at "role does not exist". Their definitions come
    /// from the table of contents (`pg_restore -f - -L` listing only the policies), read as plain dumps' are.
    /// `pgRestore` runs pg_restore on the archive with the arguments given (streamed in, or a directory).
    static func policyRoles(
        policies: [Substring], listFile: URL, sandbox: PostgresSandbox,
        pgRestore: (_ arguments: [String]) async throws -> ProcessResult
    ) async throws -> [String] {
        guard !policies.isEmpty else { return [] }
        try Data(policies.joined(separator: "\n").utf8).write(to: listFile)
        try SandboxFiles.chown(listFile.path, to: sandbox.directory.user)
        let result = try await pgRestore(["-L", listFile.path, "-f", "-"])
        guard result.succeeded else {
            throw EngineError.restoreFailed("pg_restore cannot print the archive's policies: \(errorLine(result.output))")
        }
        var roles: [String] = []
        for line in result.output.split(separator: "\n") where line.hasPrefix("CREATE POLICY ") {
            for role in PostgresRoleStatements.policyRoles(String(line)) where !roles.contains(role) { roles.append(role) }
        }
        return roles
    }

    /// The namespace field of a list entry (`-` for global objects).
    private static func namespace(_ line: Substring) -> String? {
        let fields = fields(line)
        return fields.count >= 4 ? String(fields[3]) : nil
    }

    /// The fields after a list entry's `id;` (none for a comment line).
    private static func fields(_ line: Substring) -> [Substring] {
        guard !line.hasPrefix(";"), let semicolon = line.firstIndex(of: ";") else { return [] }
        return line[line.index(after: semicolon)...].split(separator: " ", omittingEmptySubsequences: true)
    }

    /// The object name of a list entry `id; catalog oid KIND - name owner` (`COMMENT - EXTENSION name owner`).
    private static func entry(_ line: Substring, kind: String, extra: String? = nil) -> String? {
        let fields = fields(line)
        // fields: catalog oid, object oid, kind, namespace ("-" for global objects), [extra kind], name, owner
        guard fields.count >= 5, fields[2] == kind, fields[3] == "-" else { return nil }
        if let extra {
            guard fields.count >= 6, fields[4] == extra else { return nil }
            return String(fields[5])
        }
        return String(fields[4])
    }
}
