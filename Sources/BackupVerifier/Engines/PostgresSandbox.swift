import Foundation
import Logging
import Subprocess
import Synchronization

/// One throwaway PostgreSQL cluster with a database owned by `restorer`, a role that is not a superuser:
/// the dump runs with that role's rights only.
actor PostgresSandbox: DatabaseSandbox {
    static let restoringRole = "restorer"
    /// Marks SQL NULL in psql output, so it cannot be confused with an empty string.
    static let nullMarker = "\u{1}NULL\u{1}"


    nonisolated let engine: EngineInfo
    let binaries: PostgresBinaries
    let directory: SandboxDirectory
    let database: String
    let deadline: ContinuousClock.Instant
    let logger: Logger
    private var server: ProcessServer?
    private var tornDown = false
    private var settings: Set<String> = []
    /// Reported table name → (sandbox database, schema, table), filled by `tables()`.
    private var tableMap: [String: (database: String, schema: String, table: String)] = [:]
    /// The extensions this server can create (per server version, like `settings`).
    private var extensions = PostgresExtensions()
    /// The databases of a cluster dump (pg_dumpall), each restored into a sandbox database of its own.
    private var clusterDatabases: [PostgresRestoreFacts.Database] = []
    /// Row counts fetched for all tables in one query by `tables()`; empty when that query failed.
    private var countCache: [String: Int] = [:]

    init(binaries: PostgresBinaries, directory: SandboxDirectory, database: String, deadline: ContinuousClock.Instant, logger: Logger) {
        engine = EngineInfo(name: "postgres", version: binaries.version)
        self.binaries = binaries
        self.directory = directory
        self.database = database
        self.deadline = deadline
        self.logger = logger
    }

    /// Copies the template, starts postgres, waits until it accepts connections, creates role and database.
    func start(from template: URL, deadline: ContinuousClock.Instant) async throws {
        let data = directory.path("data")
        try await SandboxFiles.copyTemplate(template, to: data, user: directory.user, deadline: deadline)
        let spec = ProcessSpec(
            executable: binaries.path("postgres"),
            arguments: [
                "-D", data, "-c", "listen_addresses=", "-k", directory.socketDirectory.path, "-c", "unix_socket_permissions=0700",
                "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "autovacuum=off",
                // Dynamic shared memory as files in the data dir: removed with the sandbox even after a SIGKILL.
                "-c", "dynamic_shared_memory_type=mmap", "-c", "max_connections=20", "-c", "log_min_messages=warning",
            ],
            environment: ["HOME": directory.url.path], workingDirectory: directory.url.path, user: directory.user, confinement: directory.confinement,
            // SIGQUIT is PostgreSQL's immediate shutdown: no checkpoint for data that is thrown away anyway.
            teardown: [
                .send(signal: .quit, toProcessGroup: true, allowedDurationToNextStep: .seconds(2)),
                .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(500)),
            ])
        let server = ProcessServer(spec, pidFile: directory.url.appendingPathComponent("server.pid"), logger: logger)
        self.server = server
        let started = ContinuousClock.now
        try await server.waitUntilReady(deadline: deadline) { Self.isReady(dataDirectory: data) }
        logger.debug("postgres ready", metadata: [
            "pid": "\(server.pid ?? 0)", "sandbox": "\(directory.url.path)", "seconds": "\(ContinuousClock.now - started)",
        ])
        // The template already holds the restoring role and its empty database: renaming is a catalog update,
        // where CREATE DATABASE would copy template1.
        if database != PostgresTemplate.targetDatabase {
            _ = try await psql(asSuperuser: true, database: "template1", [
                "-c", "ALTER DATABASE \(PostgresTemplate.targetDatabase) RENAME TO \(Self.quote(database))",
            ])
        }
        if let cached = Self.settingsCache.withLock({ $0[binaries.version] }) {
            settings = cached
        } else {
            settings = Set(try await psql(asSuperuser: true, database: "template1", ["-c", "SELECT name FROM pg_settings"]).map { $0[0] })
            Self.settingsCache.withLock { [settings] in $0[binaries.version] = settings }
        }
        if let cached = Self.extensionsCache.withLock({ $0[binaries.version] }) {
            extensions = cached
        } else {
            extensions = PostgresExtensions(rows: try await psql(asSuperuser: true, database: database, ["-c", PostgresExtensions.query]))
            Self.extensionsCache.withLock { [extensions] in $0[binaries.version] = extensions }
        }
    }

    private static let extensionsCache = Mutex<[String: PostgresExtensions]>([:])

    private func restored(_ databases: [PostgresRestoreFacts.Database]) { clusterDatabases = databases }

    /// Setting names per server version: the same for every sandbox of that version.
    private static let settingsCache = Mutex<[String: Set<String>]>([:])

    /// postmaster.pid's 8th line turns to "ready" once connections are accepted (what pg_isready probes).
    static func isReady(dataDirectory: String) -> Bool {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else { return false }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 7 && lines[7].trimmingCharacters(in: .whitespaces) == "ready"
    }

    nonisolated func restore(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        switch source.format {
        case .pgCustom, .pgTar: try await restoreCustom(source, deadline: deadline)
        case .pgDirectory: try await restoreDirectory(source, deadline: deadline)
        default: try await restorePlain(source, deadline: deadline)
        }
    }

    private nonisolated func restorePlain(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        guard binaries.psqlHasRestrict else {
            throw EngineError.unavailable(
                "psql \(binaries.version) lacks \\restrict, needed to fence meta-commands in plain dumps: upgrade to PostgreSQL 15.14+, 16.10+ or 17.6+")
        }
        let facts = PostgresRestoreFacts()
        let rules = PostgresDumpRules(
            knownSettings: await settings, serverVersion: binaries.version, restrictKey: Self.randomKey(), mainDatabase: database,
            extensions: await extensions, facts: facts)
        let spec = clientSpec(binaries.path("psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-d", database])
        let sentinel = restoreSentinel()
        let (result, fed) = try await ProcessRunner.run(spec, deadline: deadline) { writer in
            try await DumpRewriter.pipe(source, rules: rules, scanner: PsqlMetaCommandScanner(), preamble: rules.preamble, trailer: "\nSELECT '\(sentinel)';\n", into: writer)
        }
        let learnt = facts.snapshot
        await restored(learnt.databases)
        guard result.succeeded else {
            logger.info("PostgreSQL restore failed", metadata: ["dump": "\(source.name)", "status": "\(result.status)"])
            let failure = restoreFailure(client: "psql", status: result.status, output: result.output)
            try unavailableExtension(in: result.output, skipped: learnt.skippedExtensions, failure: failure)
            throw EngineError.restoreFailed(failure)
        }
        try checkSentinel(sentinel, in: result.output, client: "psql")
        var notes = fed?.1 ?? []
        var withoutTables: String?
        if learnt.isCluster {
            if learnt.databases.isEmpty {
                withoutTables = "globals only: \(learnt.roles.count) role\(learnt.roles.count == 1 ? "" : "s"), no databases"
            } else {
                let names = learnt.databases.map { $0.dumpName == $0.sandboxName ? $0.dumpName : "\($0.dumpName) (as \($0.sandboxName))" }
                notes.append("pg_dumpall: \(learnt.databases.count) database(s) restored, each into a sandbox database of its own: \(names.joined(separator: ", ")); tables are named database.schema.table")
            }
        }
        return RestoreOutcome(rewrites: fed?.0 ?? [], notes: notes, log: RestoreLog.messages(result.output), withoutTables: withoutTables)
    }

    /// A restore that failed for want of an extension is the verifier's shortfall (`error`), not the backup's.
    private nonisolated func unavailableExtension(in output: String, skipped: [String], failure: String) throws {
        let major = String(binaries.version.prefix { $0 != "." })
        if let missing = PostgresExtensions.missing(in: output) {
            throw EngineError.unavailable(
                "the dump needs the PostgreSQL extension \(missing), which is not installed here: install \(PostgresExtensions.package(for: missing, major: major))")
        }
        if !skipped.isEmpty {
            throw EngineError.unavailable(
                "the restore failed after skipping the superuser-only extension(s) \(skipped.joined(separator: ", ")) (the sandbox restores as a non-superuser, so the dump's objects that need them cannot be created): \(failure)")
        }
    }

    /// Custom and tar archives both stream into pg_restore's stdin (it reads a tar archive front to back).
    private nonisolated func restoreCustom(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        let format = source.format == .pgTar ? ["--format=tar"] : []
        var plan = try await PostgresArchiveList.plan(
            source, sandbox: self, extensions: await extensions, format: format, deadline: deadline)
        plan.rewrites += try await createPolicyRoles(policies: plan.policyEntries) { arguments in
            try await self.runClient("pg_restore", format + arguments, deadline: deadline) { writer in
                try await source.stream { chunk in _ = try await writer.write(Array(chunk)) }
            }.result
        }
        let listFile = directory.url.appendingPathComponent("restore.list")
        try Data(plan.list.utf8).write(to: listFile)
        try SandboxFiles.chown(listFile.path, to: directory.user)
        let spec = clientSpec(
            binaries.path("pg_restore"), format + ["-L", listFile.path, "--no-owner", "--no-acl", "--exit-on-error", "-d", database])
        let (result, _) = try await ProcessRunner.run(spec, deadline: deadline) { writer in
            try await source.stream { chunk in _ = try await writer.write(Array(chunk)) }
        }
        return try archiveOutcome(result, plan: plan)
    }

    /// A directory archive's members are written into the sandbox (pg_restore reads them only from a directory),
    /// given to the sandbox user, and removed with the sandbox.
    private nonisolated func restoreDirectory(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        guard let archive = source as? PgDirectorySource else {
            throw EngineError.internalFailure("a directory-format archive arrived without its members")
        }
        let target = directory.url.appendingPathComponent("archive", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EngineError.internalFailure("cannot create \(target.path): \(error.localizedDescription)")
        }
        try await archive.extract(into: target)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? [] {
            try SandboxFiles.chown(target.appendingPathComponent(name).path, to: directory.user)
        }
        try SandboxFiles.chown(target.path, to: directory.user)
        let directoryArchive = ["--format=directory"]
        let (toc, _) = try await runClient("pg_restore", directoryArchive + ["-l", target.path], deadline: deadline) { _ in }
        guard toc.succeeded else { throw EngineError.restoreFailed("pg_restore cannot read the archive's table of contents: \(errorLine(toc.output))") }
        let policies = PostgresArchiveList.policyEntries(in: toc.output)
        let rewrites = try await createPolicyRoles(policies: policies) { arguments in
            try await self.runClient("pg_restore", directoryArchive + arguments + [target.path], deadline: deadline) { _ in }.result
        }
        let spec = clientSpec(
            binaries.path("pg_restore"), ["--format=directory", "--no-owner", "--no-acl", "--exit-on-error", "-d", database, target.path])
        return try archiveOutcome(
            try await ProcessRunner.run(spec, deadline: deadline), plan: PostgresArchiveList(list: "", rewrites: rewrites, skippedExtensions: []))
    }

    /// Creates the cluster roles the archive's row-level security policies name (see `PostgresArchiveList.policyRoles`)
    /// before pg_restore runs; returns the report's lines for them.
    private nonisolated func createPolicyRoles(
        policies: [Substring], pgRestore: (_ arguments: [String]) async throws -> ProcessResult
    ) async throws -> [DumpRewrite] {
        let roles = try await PostgresArchiveList.policyRoles(
            policies: policies, listFile: directory.url.appendingPathComponent("policies.list"), sandbox: self, pgRestore: pgRestore)
        guard !roles.isEmpty else { return [] }
        _ = try await psql(asSuperuser: false, database: database, ["-c", roles.map(PostgresRoleStatements.createCall(for:)).joined(separator: " ")])
        return roles.map { role in
            DumpRewrite(
                from: "POLICY … TO \(role)", to: "backupfeed_sandbox.create_role first (a cluster role the dump uses but does not create)",
                occurrences: 1)
        }
    }

    /// `plan`: the list pass's skips and rewrites (a directory archive is restored whole: its plan holds only the policy roles' lines).
    private nonisolated func archiveOutcome(_ result: ProcessResult, plan: PostgresArchiveList?) throws -> RestoreOutcome {
        let skipped = plan?.skippedExtensions ?? []
        guard result.succeeded else {
            if result.output.contains("unsupported version") {
                throw EngineError.unavailable(
                    "the archive was made by a newer pg_dump than PostgreSQL \(binaries.version) can read: \(errorLine(result.output))")
            }
            let failure = "pg_restore \(result.status): \(errorLine(result.output))"
            try unavailableExtension(in: result.output, skipped: skipped, failure: failure)
            throw EngineError.restoreFailed(failure)
        }
        var notes = ["restored without ownership and privileges (pg_restore --no-owner --no-acl): the dump's roles do not exist in the sandbox"]
        if !skipped.isEmpty {
            notes.append("skipped superuser-only extension(s) \(skipped.joined(separator: ", ")): the restoring role is not a superuser")
        }
        return RestoreOutcome(rewrites: plan?.rewrites ?? [], notes: notes, log: RestoreLog.messages(result.output))
    }

    /// Runs a client program over the sandbox socket as the restoring role with `input` on its stdin (the
    /// archive list pass).
    nonisolated func runClient<Fed: Sendable>(
        _ program: String, _ arguments: [String], deadline: ContinuousClock.Instant,
        input: @escaping @Sendable (StandardInputWriter) async throws -> Fed
    ) async throws -> (result: ProcessResult, fed: Fed?) {
        try await ProcessRunner.run(clientSpec(binaries.path(program), arguments), deadline: deadline, input: input)
    }

    /// The databases to inspect, with the name the report gives each ("" for a single-database dump's tables,
    /// which keep their plain `table` / `schema.table` names; a cluster dump's are `database.schema.table`).
    private var inspectedDatabases: [(label: String, sandboxName: String)] {
        guard !clusterDatabases.isEmpty else { return [("", database)] }
        return [(database, database)] + clusterDatabases.map { ($0.dumpName, $0.sandboxName) }
    }

    func tables() async throws -> [String] {
        tableMap = [:]
        countCache = [:]
        for (label, sandboxName) in inspectedDatabases {
            let rows = try await psql(asSuperuser: false, database: sandboxName, [
                "-c", "SELECT schemaname, tablename FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
            ])
            var keys: [String] = []
            for row in rows where row.count == 2 {
                let key = label.isEmpty ? (row[0] == "public" ? row[1] : "\(row[0]).\(row[1])") : "\(label).\(row[0]).\(row[1])"
                tableMap[key] = (sandboxName, row[0], row[1])
                keys.append(key)
            }
            // One client run per database counts every table (each run costs a process start); if any table is
            // unreadable the query fails as a whole and countRows asks table by table, which names the culprit.
            if !keys.isEmpty, keys.count <= 500 {
                let sql = keys.enumerated().map { index, key in
                    "SELECT \(index), count(*) FROM \(Self.quote(tableMap[key]!.schema)).\(Self.quote(tableMap[key]!.table))"
                }.joined(separator: " UNION ALL ")
                for row in (try? await psql(asSuperuser: false, database: sandboxName, ["-c", sql])) ?? [] where row.count == 2 {
                    if let index = Int(row[0]), keys.indices.contains(index), let count = Int(row[1]) { countCache[keys[index]] = count }
                }
            }
        }
        return tableMap.keys.sorted()
    }

    /// Where policy checks run: the sandbox database, or for a cluster dump the dump's database named like the
    /// policy's `database`, else the one holding the most tables (template1 and postgres only if no other has any).
    private var checkDatabase: String {
        guard !clusterDatabases.isEmpty else { return database }
        if let named = clusterDatabases.first(where: { $0.dumpName == database }) { return named.sandboxName }
        let tableCounts = Dictionary(grouping: tableMap.values, by: \.database).mapValues(\.count)
        let user = clusterDatabases.filter { !["template1", "postgres"].contains($0.dumpName) && tableCounts[$0.sandboxName] != nil }
        let candidates = user.isEmpty ? clusterDatabases : user
        // max(by:) keeps the first of equals: the first in dump order wins a tie.
        let best = candidates.max { (tableCounts[$0.sandboxName] ?? 0) < (tableCounts[$1.sandboxName] ?? 0) }
        return best.flatMap { tableCounts[$0.sandboxName] != nil ? $0.sandboxName : nil } ?? database
    }

    func countRows(of table: String) async throws -> Int {
        if tableMap[table] == nil { _ = try await tables() }
        if let cached = countCache[table] { return cached }
        let (inDatabase, schema, name) = tableMap[table] ?? (database, "public", table)
        let rows = try await psql(asSuperuser: false, database: inDatabase, ["-c", "SELECT count(*) FROM \(Self.quote(schema)).\(Self.quote(name))"], dumpIsAtFault: true)
        guard let text = rows.first?.first, let count = Int(text) else { throw EngineError.restoreFailed("cannot count rows of \(table)") }
        return count
    }

    func scalar(_ sql: String) async throws -> String? {
        if !clusterDatabases.isEmpty, tableMap.isEmpty { _ = try await tables() }
        let rows = try await psql(asSuperuser: false, database: checkDatabase, ["-c", sql], dumpIsAtFault: true)
        guard let value = rows.first?.first, value != Self.nullMarker else { return nil }
        return value
    }

    func tearDown() async {
        guard !tornDown else { return }
        tornDown = true
        await server?.stop()
        directory.remove()
        logger.debug("PostgreSQL sandbox removed", metadata: ["sandbox": "\(directory.url.path)"])
    }

    /// Runs psql non-interactively; rows of tab-separated fields.
    private func psql(asSuperuser: Bool, database: String, _ arguments: [String], dumpIsAtFault: Bool = false) async throws -> [[String]] {
        let spec = clientSpec(binaries.path("psql"), role: asSuperuser ? "postgres" : Self.restoringRole, [
            "-X", "-q", "-A", "-t", "-F", "\t", "-P", "null=\(Self.nullMarker)", "-v", "ON_ERROR_STOP=1", "-d", database,
        ] + arguments)
        let result = try await ProcessRunner.run(spec, deadline: deadline, outputLimit: ProcessRunner.queryOutputLimit)
        guard result.succeeded else {
            // A query about restored tables failing means the backup is bad; a failing setup query is ours.
            let reason = "psql: \(errorLine(result.output))"
            throw dumpIsAtFault ? EngineError.restoreFailed(reason) : EngineError.internalFailure(reason)
        }
        return result.output.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// A client program connecting over the sandbox socket as the restoring role, run as the sandbox user.
    private nonisolated func clientSpec(_ program: String, role: String = PostgresSandbox.restoringRole, _ arguments: [String]) -> ProcessSpec {
        ProcessSpec(
            executable: program,
            arguments: ["-h", directory.socketDirectory.path, "-U", role] + arguments,
            environment: ["HOME": directory.url.path, "PSQL_HISTORY": "/dev/null", "PGAPPNAME": "backupfeed"],
            workingDirectory: directory.url.path, user: directory.user, confinement: directory.confinement)
    }

    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A `\restrict` key the dump cannot guess, so it cannot `\unrestrict` itself.
    static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<48).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
