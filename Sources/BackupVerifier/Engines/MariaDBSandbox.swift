import Foundation
import Logging
import Subprocess
import Synchronization

/// One throwaway MariaDB server. It starts lazily, on first use, because the dump's header decides how:
/// a dump from a case-insensitive server (macOS, Windows) needs `lower_case_table_names=1`.
actor MariaDBSandbox: DatabaseSandbox {

    nonisolated let engine: EngineInfo
    let binaries: MariaDBBinaries
    let directory: SandboxDirectory
    let database: String
    let templates: @Sendable (Bool) async throws -> URL
    let deadline: ContinuousClock.Instant
    let logger: Logger
    private var server: ProcessServer?
    private var tornDown = false
    /// Reported table name → (schema, table), filled by `tables()`.
    private var tableMap: [String: (String, String)] = [:]
    /// Row counts fetched for all tables in one query by `tables()`; empty when that query failed.
    private var countCache: [String: Int] = [:]
    private var defaultSchema: String

    init(
        binaries: MariaDBBinaries, directory: SandboxDirectory, database: String,
        templates: @escaping @Sendable (Bool) async throws -> URL, deadline: ContinuousClock.Instant, logger: Logger
    ) {
        engine = EngineInfo(name: "mariadb", version: binaries.version)
        self.binaries = binaries
        self.directory = directory
        self.database = database
        self.templates = templates
        self.deadline = deadline
        self.logger = logger
        defaultSchema = database
    }

    nonisolated var socket: String { directory.socketDirectory.appendingPathComponent("mariadbd.sock").path }

    nonisolated func restore(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        let head = try await DumpHead.read(source)
        let origin = Self.caseInsensitiveOrigin(DumpHead.lines(head))
        let mysql8Source = Self.mysql8Source(head)
        try await start(lowerCaseTableNames: origin != nil, deadline: deadline)
        let collations = try await knownCollations(deadline: deadline)
        let spec = clientSpec(account: MariaDBTemplate.restoringUser, ["--max-allowed-packet=1G", database])
        let sentinel = restoreSentinel()
        let findings = MySQL8Findings()
        let (result, fed) = try await ProcessRunner.run(spec, deadline: deadline) { writer in
            try await DumpRewriter.pipe(
                source, rules: MySQLDumpRules(knownCollations: collations, findings: findings), scanner: MySQLClientCommandScanner(),
                trailer: "\nDELIMITER ;\nSELECT '\(sentinel)';\n", into: writer)
        }
        guard result.succeeded else {
            logger.info("MariaDB restore failed", metadata: ["dump": "\(source.name)", "status": "\(result.status)"])
            let reason = errorLine(result.output)
            if let feature = findings.feature(forClientError: reason) {
                // A valid MySQL 8 dump that MariaDB cannot load is a limit of this verifier, not a bad backup.
                throw EngineError.unavailable(
                    "the dump uses MySQL 8 syntax MariaDB \(engine.version) cannot load: \(feature); verify it with a MySQL 8 server (\(reason))")
            }
            if reason.hasPrefix("ERROR 1064"), let mysql8Source {
                // mysqldump writes what its own server accepts: a syntax error in a MySQL 8 dump is a dialect gap.
                throw EngineError.unavailable(
                    "MariaDB \(engine.version) cannot parse a statement of this dump from \(mysql8Source): MySQL 8 syntax MariaDB lacks, with no translation here yet; verify it with a MySQL 8 server (\(reason))")
            }
            throw EngineError.restoreFailed(restoreFailure(client: "mariadb client", status: result.status, output: result.output) + (await caseMismatchHint(reason)))
        }
        try checkSentinel(sentinel, in: result.output, client: "mariadb")
        logger.debug("MariaDB restore finished", metadata: ["dump": "\(source.name)", "rewrites": "\(fed?.0.count ?? 0)"])
        var notes = fed?.1 ?? []
        if let origin {
            notes.insert("restored with lower_case_table_names=1, as on the dump's source server (\(origin), case-insensitive table names)", at: 0)
        }
        return RestoreOutcome(rewrites: fed?.0 ?? [], notes: notes, log: RestoreLog.messages(result.output))
    }

    /// For "Table 'db.all_data' doesn't exist" when `db.All_Data` exists: the dump comes from a server with
    /// case-insensitive table names (macOS, Windows) whose header did not say so; tell the reader. The names come
    /// from the dump, so they are compared here, never put into SQL; the query runs as the restoring account.
    private func caseMismatchHint(_ reason: String) async -> String {
        guard let match = reason.firstMatch(of: #/ERROR 1146 .*Table '([^'.]+)\.([^']+)' doesn't exist/#) else { return "" }
        let (schema, table) = (String(match.output.1), String(match.output.2))
        guard let rows = try? await query(
            "SELECT table_schema, table_name FROM information_schema.tables", account: MariaDBTemplate.restoringUser,
            deadline: max(deadline, .now + .seconds(30))),
              let existing = rows.first(where: { $0.count == 2 && $0[0] == schema && $0[1] != table && $0[1].lowercased() == table.lowercased() })
        else { return "" }
        return " (the dump refers to `\(table)` but created `\(existing[1])`: names that differ only in case, as on a server with lower_case_table_names=1, e.g. macOS or Windows)"
    }

    func tables() async throws -> [String] {
        try await start(lowerCaseTableNames: false, deadline: deadline)
        let rows = try await query("""
            SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_type IN ('BASE TABLE', 'SYSTEM VERSIONED')
              AND table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
            ORDER BY table_schema, table_name
            """, account: MariaDBTemplate.restoringUser, deadline: deadline)
        // A dump that creates and USEs its own database restores there, not into ours: report whatever
        // databases hold tables, with bare names when there is only one.
        let schemas = Set(rows.map { $0[0] })
        tableMap = [:]
        for row in rows where row.count == 2 {
            tableMap[schemas.count == 1 ? row[1] : "\(row[0]).\(row[1])"] = (row[0], row[1])
        }
        if schemas.count == 1, let only = schemas.first { defaultSchema = only }
        let names = tableMap.keys.sorted()
        // One client run counts every table (each run costs a process start); if any table is unreadable the
        // query fails as a whole and countRows asks table by table, which names the culprit.
        countCache = [:]
        if !names.isEmpty, names.count <= 500 {
            let sql = names.enumerated().map { index, key in
                "SELECT \(index), COUNT(*) FROM \(Self.quote(tableMap[key]!.0)).\(Self.quote(tableMap[key]!.1))"
            }.joined(separator: " UNION ALL ")
            for row in (try? await query(sql, account: MariaDBTemplate.restoringUser, deadline: deadline)) ?? [] where row.count == 2 {
                if let index = Int(row[0]), names.indices.contains(index), let count = Int(row[1]) { countCache[names[index]] = count }
            }
        }
        return names
    }

    func countRows(of table: String) async throws -> Int {
        if tableMap.isEmpty { _ = try await tables() }
        if let cached = countCache[table] { return cached }
        let (schema, name) = tableMap[table] ?? (defaultSchema, table)
        let rows = try await query(
            "SELECT COUNT(*) FROM \(Self.quote(schema)).\(Self.quote(name))", account: MariaDBTemplate.restoringUser, deadline: deadline,
            dumpIsAtFault: true)
        guard let text = rows.first?.first, let count = Int(text) else {
            throw EngineError.restoreFailed("cannot count rows of \(table)")
        }
        return count
    }

    func scalar(_ sql: String) async throws -> String? {
        if tableMap.isEmpty { _ = try await tables() }
        let rows = try await query(sql, schema: defaultSchema, account: MariaDBTemplate.restoringUser, deadline: deadline, dumpIsAtFault: true)
        guard let value = rows.first?.first, value != "NULL" else { return nil }
        return value
    }

    func tearDown() async {
        guard !tornDown else { return }
        tornDown = true
        await server?.stop()
        directory.remove()
        logger.debug("MariaDB sandbox removed", metadata: ["sandbox": "\(directory.url.path)"])
    }

    /// Copies the template, starts mariadbd, waits for its socket and creates the target database.
    private func start(lowerCaseTableNames: Bool, deadline: ContinuousClock.Instant) async throws {
        guard server == nil else { return }
        guard !tornDown else { throw EngineError.internalFailure("the MariaDB sandbox was already torn down") }
        let template = try await templates(lowerCaseTableNames)
        try await SandboxFiles.copyTemplate(template, to: directory.path("data"), user: directory.user, deadline: deadline)
        // secure_file_priv and plugin_dir name empty directories inside the sandbox: INTO OUTFILE, LOAD DATA and
        // INSTALL SONAME cannot reach anything else (the restoring account lacks FILE anyway).
        for name in ["files", "tmp", "plugins"] {
            try FileManager.default.createDirectory(atPath: directory.path(name), withIntermediateDirectories: false)
            try SandboxFiles.chown(directory.path(name), to: directory.user)
        }
        let spec = ProcessSpec(
            executable: binaries.server,
            arguments: [
                "--no-defaults", "--datadir=\(directory.path("data"))", "--skip-networking", "--socket=\(socket)",
                "--pid-file=\(directory.path("mariadbd.pid"))", "--secure-file-priv=\(directory.path("files"))",
                "--tmpdir=\(directory.path("tmp"))", "--local-infile=0", "--skip-log-bin", "--skip-name-resolve",
                "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--max-allowed-packet=1G",
                "--plugin-dir=\(directory.path("plugins"))",
                // CREATE TABLE … DATA DIRECTORY='/elsewhere' would otherwise put table files outside the sandbox:
                // no symbolic links (MyISAM, Aria) and no per-table tablespaces (InnoDB) make it a no-op.
                "--skip-symbolic-links", "--innodb-file-per-table=0",
            ] + MariaDBTemplate.sharedOptions(lowerCaseTableNames: lowerCaseTableNames),
            environment: ["HOME": directory.url.path], workingDirectory: directory.url.path, user: directory.user, confinement: directory.confinement,
            // The data is thrown away: no graceful shutdown to wait for.
            teardown: [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(500))])
        let started = ContinuousClock.now
        let server = ProcessServer(spec, pidFile: directory.url.appendingPathComponent("server.pid"), logger: logger)
        self.server = server
        let socket = self.socket
        try await server.waitUntilReady(deadline: deadline) { UnixSocketProbe.accepts(socket) }
        _ = try await query("CREATE DATABASE IF NOT EXISTS \(Self.quote(database))", deadline: deadline)
        logger.debug("mariadbd ready", metadata: [
            "pid": "\(server.pid ?? 0)", "sandbox": "\(directory.url.path)", "lower_case_table_names": "\(lowerCaseTableNames ? 1 : 0)",
            "seconds": "\(ContinuousClock.now - started)",
        ])
    }

    /// Full collation names the server accepts. MariaDB 10.10+ lists its UCA 14 collations charset-less
    /// (`uca1400_ai_ci`) in `collations`; the full `utf8mb4_uca1400_ai_ci` names are in the applicability table.
    private func knownCollations(deadline: ContinuousClock.Instant) async throws -> Set<String> {
        if let cached = Self.collationCache.withLock({ $0[binaries.version] }) { return cached }
        var names = Set(try await query("SELECT collation_name FROM information_schema.collations", deadline: deadline).map { $0[0] })
        if let full = try? await query(
            "SELECT full_collation_name FROM information_schema.collation_character_set_applicability", deadline: deadline) {
            names.formUnion(full.map { $0[0] })
        }
        Self.collationCache.withLock { [names] in $0[binaries.version] = names }
        return names
    }

    /// Collation names per server version: the same for every sandbox of that version.
    private static let collationCache = Mutex<[String: Set<String>]>([:])

    /// Runs SQL through the client; rows of tab-separated fields.
    private func query(
        _ sql: String, schema: String? = nil, account: String = "root", deadline: ContinuousClock.Instant,
        dumpIsAtFault: Bool = false
    ) async throws -> [[String]] {
        let spec = clientSpec(account: account, ["--skip-column-names", "-e", sql] + (schema.map { [$0] } ?? []))
        let result = try await ProcessRunner.run(spec, deadline: deadline, outputLimit: ProcessRunner.queryOutputLimit)
        guard result.succeeded else {
            // A query about restored tables failing means the backup is bad; a failing setup query is ours.
            let reason = "mariadb: \(lastLines(result.output))"
            throw dumpIsAtFault ? EngineError.restoreFailed(reason) : EngineError.internalFailure(reason)
        }
        return result.output.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map { Self.unescape(String($0)) }
        }
    }

    /// The client as the sandbox user, with `--sandbox` (no `\!`, `system`, `tee`, `source`) and no LOCAL INFILE.
    /// `root` for our own setup and inspection queries, the restricted account for anything from the dump or policy.
    private nonisolated func clientSpec(account: String, _ extra: [String]) -> ProcessSpec {
        ProcessSpec(
            executable: binaries.client,
            arguments: [
                // --binary-mode: no client commands but DELIMITER and \C from piped input (the dump's `\e`, `connect` …
                // are refused by MySQLClientCommandScanner before; this is the second layer).
                "--no-defaults", "--sandbox", "--binary-mode", "--local-infile=0", "--batch", "--default-character-set=utf8mb4",
                "--socket=\(socket)", "-u", account,
            ] + extra,
            // An editor or pager the client might still start must fail at once.
            environment: ["HOME": directory.url.path, "MYSQL_HISTFILE": "/dev/null", "EDITOR": "/bin/false", "VISUAL": "/bin/false", "PAGER": "/bin/false"],
            workingDirectory: directory.url.path, user: directory.user, confinement: directory.confinement)
    }

    static func quote(_ identifier: String) -> String {
        "`" + identifier.replacingOccurrences(of: "`", with: "``") + "`"
    }

    /// Undoes `--batch` escaping of special characters in a field.
    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        return field.replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(of: "\\n", with: "\n")
            .replacingOccurrences(of: "\\0", with: "\0").replacingOccurrences(of: "\\\\", with: "\\")
    }

    /// "MySQL 8.0.42" when the header names a MySQL 8 or later source server (not MariaDB), else nil.
    static func mysql8Source(_ head: [UInt8]) -> String? {
        guard let server = DumpOrigin.read(head: head, format: .mysqlDump)?.sourceServer, server.hasPrefix("MySQL "),
              let major = Int(server.dropFirst(6).prefix { $0.isNumber }), major >= 8 else { return nil }
        return server
    }

    /// "macos11" / "Win64" … when the mysqldump header says the dump comes from a case-insensitive OS.
    static func caseInsensitiveOrigin(_ headLines: [String]) -> String? {
        for line in headLines.prefix(10) where line.hasPrefix("-- MySQL dump") || line.hasPrefix("-- MariaDB dump") {
            guard let match = line.firstMatch(of: #/ for (\S+)/#) else { return nil }
            let platform = String(match.output.1)
            let lower = platform.lowercased()
            return ["macos", "osx", "apple", "darwin", "win"].contains(where: lower.hasPrefix) ? platform : nil
        }
        return nil
    }
}
