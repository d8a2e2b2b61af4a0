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
    /// Reported table name → (schema, table), filled by `tables()`.
    private var tableMap: [String: (String, String)] = [:]
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
    }

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
        let rules = PostgresDumpRules(knownSettings: await settings, serverVersion: binaries.version, restrictKey: Self.randomKey())
        let spec = clientSpec(binaries.path("psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-d", database])
        let sentinel = restoreSentinel()
        let (result, fed) = try await ProcessRunner.run(spec, deadline: deadline) { writer in
            try await DumpRewriter.pipe(source, rules: rules, scanner: PsqlMetaCommandScanner(), preamble: rules.preamble, trailer: "\nSELECT '\(sentinel)';\n", into: writer)
        }
        guard result.succeeded else {
            logger.info("PostgreSQL restore failed", metadata: ["dump": "\(source.name)", "status": "\(result.status)"])
            throw EngineError.restoreFailed(restoreFailure(client: "psql", status: result.status, output: result.output))
        }
        try checkSentinel(sentinel, in: result.output, client: "psql")
        return RestoreOutcome(rewrites: fed?.0 ?? [], notes: fed?.1 ?? [], log: RestoreLog.messages(result.output))
    }

    /// Custom and tar archives both stream into pg_restore's stdin (it reads a tar archive front to back).
    private nonisolated func restoreCustom(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        let format = source.format == .pgTar ? ["--format=tar"] : []
        let spec = clientSpec(binaries.path("pg_restore"), format + ["--no-owner", "--no-acl", "--exit-on-error", "-d", database])
        let (result, _) = try await ProcessRunner.run(spec, deadline: deadline) { writer in
            try await source.stream { chunk in _ = try await writer.write(Array(chunk)) }
        }
        return try archiveOutcome(result)
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
        let spec = clientSpec(
            binaries.path("pg_restore"), ["--format=directory", "--no-owner", "--no-acl", "--exit-on-error", "-d", database, target.path])
        return try archiveOutcome(try await ProcessRunner.run(spec, deadline: deadline))
    }

    private nonisolated func archiveOutcome(_ result: ProcessResult) throws -> RestoreOutcome {
        guard result.succeeded else {
            if result.output.contains("unsupported version") {
                throw EngineError.unavailable(
                    "the archive was made by a newer pg_dump than PostgreSQL \(binaries.version) can read: \(errorLine(result.output))")
            }
            throw EngineError.restoreFailed("pg_restore \(result.status): \(errorLine(result.output))")
        }
        return RestoreOutcome(notes: ["restored without ownership and privileges (pg_restore --no-owner --no-acl): the dump's roles do not exist in the sandbox"], log: RestoreLog.messages(result.output))
    }

    func tables() async throws -> [String] {
        let rows = try await psql(asSuperuser: false, database: database, [
            "-c", "SELECT schemaname, tablename FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
        ])
        tableMap = [:]
        for row in rows where row.count == 2 {
            tableMap[row[0] == "public" ? row[1] : "\(row[0]).\(row[1])"] = (row[0], row[1])
        }
        let names = tableMap.keys.sorted()
        // One client run counts every table (each run costs a process start); if any table is unreadable the
        // query fails as a whole and countRows asks table by table, which names the culprit.
        countCache = [:]
        if !names.isEmpty, names.count <= 500 {
            let sql = names.enumerated().map { index, key in
                "SELECT \(index), count(*) FROM \(Self.quote(tableMap[key]!.0)).\(Self.quote(tableMap[key]!.1))"
            }.joined(separator: " UNION ALL ")
            for row in (try? await psql(asSuperuser: false, database: database, ["-c", sql])) ?? [] where row.count == 2 {
                if let index = Int(row[0]), names.indices.contains(index), let count = Int(row[1]) { countCache[names[index]] = count }
            }
        }
        return names
    }

    func countRows(of table: String) async throws -> Int {
        if tableMap[table] == nil { _ = try await tables() }
        if let cached = countCache[table] { return cached }
        let (schema, name) = tableMap[table] ?? ("public", table)
        let rows = try await psql(asSuperuser: false, database: database, ["-c", "SELECT count(*) FROM \(Self.quote(schema)).\(Self.quote(name))"], dumpIsAtFault: true)
        guard let text = rows.first?.first, let count = Int(text) else { throw EngineError.restoreFailed("cannot count rows of \(table)") }
        return count
    }

    func scalar(_ sql: String) async throws -> String? {
        let rows = try await psql(asSuperuser: false, database: database, ["-c", sql], dumpIsAtFault: true)
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
