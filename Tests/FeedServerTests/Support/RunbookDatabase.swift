import Foundation
import Logging

@testable import BackupVerifier

#if canImport(Glibc)
import Glibc
#endif

/// A real MariaDB or PostgreSQL server for a runbook to dump from or restore into, started by the product's own
/// engine code the way it starts a verification sandbox: as the unprivileged sandbox user, unix socket only, no
/// network, in a temporary data directory that `tearDown` removes together with the server.
///
/// The runbooks run as root and connect through the socket (root may enter the sandbox user's 0700 directory):
/// MariaDB's passwordless `root` or the sandbox's `restorer` account, PostgreSQL's `restorer` role (owner of the
/// database) or the `postgres` superuser; both sandboxes trust local connections.
struct RunbookDatabase: Sendable {
    enum Engine: Sendable { case mariaDB, postgres }

    let engine: Engine
    let sandbox: any DatabaseSandbox
    let database: String
    /// MariaDB: the socket file; PostgreSQL: the directory holding the socket (what PGHOST names).
    let socket: String
    /// The sandbox's parent directory, removed by `tearDown`.
    private let work: URL

    /// The engine templates the feed under test builds too (`--sandbox-dir Verification.sharedSandbox`): once per machine.
    static let templates = Verification.sharedSandbox.appendingPathComponent("templates", isDirectory: true)
    static var restoringAccount: String { MariaDBTemplate.restoringUser }
    static var restoringRole: String { PostgresSandbox.restoringRole }

    /// Starts a server holding the empty database `database`, runs `body`, and always stops and removes it.
    static func with<T>(_ engine: Engine, _ database: String, _ body: (RunbookDatabase) async throws -> T) async throws -> T {
        let db = try await start(engine, database)
        do {
            let value = try await body(db)
            await db.tearDown()
            return value
        } catch {
            await db.tearDown()
            throw error
        }
    }

    private static func start(_ engine: Engine, _ database: String) async throws -> RunbookDatabase {
        // Mode 0755 so that the sandbox user reaches its own directory inside.
        let work = URL(fileURLWithPath: "/tmp/backupfeed-runbook-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        let deadline = ContinuousClock.now + .seconds(600)
        let logger = Logger(label: "runbook-test")
        do {
            switch engine {
            case .mariaDB:
                let sandbox = try await MariaDBEngine(templateRoot: templates)
                    .makeSandbox(database: database, workDirectory: work, deadline: deadline, logger: logger)
                guard let maria = sandbox as? MariaDBSandbox else { throw RunbookDatabaseError.unexpected("not a MariaDB sandbox") }
                // The server starts on first use; listing tables starts it and creates the database.
                _ = try await sandbox.tables()
                return RunbookDatabase(engine: engine, sandbox: sandbox, database: database, socket: maria.socket, work: work)
            case .postgres:
                let sandbox = try await PostgresEngine(templateRoot: templates)
                    .makeSandbox(database: database, workDirectory: work, deadline: deadline, logger: logger)
                guard let postgres = sandbox as? PostgresSandbox else { throw RunbookDatabaseError.unexpected("not a PostgreSQL sandbox") }
                let socket = await postgres.directory.socketDirectory.path
                let made = RunbookDatabase(engine: engine, sandbox: sandbox, database: database, socket: socket, work: work)
                // A user's database has no verifier schema; this one comes from the verifier's template, whose
                // template1 holds it (the role-stripping function), and pg_restore into another would collide.
                _ = try await sandbox.tables()
                _ = try await made.psqlAsSuperuser("DROP SCHEMA IF EXISTS backupfeed_sandbox CASCADE")
                return made
            }
        } catch {
            try? FileManager.default.removeItem(at: work)
            throw error
        }
    }

    func tearDown() async {
        await sandbox.tearDown()
        try? FileManager.default.removeItem(at: work)
    }

    /// The runbooks' connection variables for this server, as `user`, with `database` as the dump's or restore's target.
    func clientVariables(user: String? = nil) -> [String: String] {
        switch engine {
        case .mariaDB: ["MYSQL_SOCKET": socket, "MYSQL_USER": user ?? "root", "MYSQL_DATABASE": database]
        case .postgres: ["PGHOST": socket, "PGUSER": user ?? Self.restoringRole, "PGDATABASE": database]
        }
    }

    /// Loads a dump with the engine's own restore (the way a verification restores it).
    func load(_ dump: URL) async throws {
        let format: DumpFormat = engine == .mariaDB ? .mysqlDump : .pgPlain
        _ = try await sandbox.restore(FileDumpSource(file: dump, format: format), deadline: .now + .seconds(300))
    }

    /// Every table with its row count.
    func rowCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        switch engine {
        case .mariaDB:
            for table in try await sandbox.tables() { counts[table] = try await sandbox.countRows(of: table) }
        case .postgres:
            // As the superuser: a plain dump restored by `postgres` leaves tables the restoring role may not read.
            let tables = try await psqlAsSuperuser(
                "SELECT schemaname || '.' || tablename FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
            for table in tables.split(separator: "\n").map(String.init) {
                let parts = table.split(separator: ".", maxSplits: 1).map { "\"" + $0 + "\"" }
                let count = try await psqlAsSuperuser("SELECT count(*) FROM \(parts.joined(separator: "."))")
                counts[table.hasPrefix("public.") ? String(table.dropFirst("public.".count)) : table] = Int(count)
            }
        }
        return counts
    }

    /// Runs one query through psql as the `postgres` superuser; its output without alignment or headers.
    private func psqlAsSuperuser(_ sql: String) async throws -> String {
        let binaries = try await PostgresBinaries.locate(under: URL(fileURLWithPath: "/usr/lib/postgresql"), deadline: .now + .seconds(60))
        let outcome = try await Runbook.execute(
            binaries.path("psql"), ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socket, "-U", "postgres", "-d", database, "-c", sql],
            environment: ["PGAPPNAME": "runbook-test"])
        guard outcome.succeeded else { throw RunbookDatabaseError.unexpected("psql -c \(sql): \(outcome)") }
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs SQL as the restoring account (what a verification's policy checks run as); its one value, if any.
    @discardableResult
    func scalar(_ sql: String) async throws -> String? {
        try await sandbox.scalar(sql)
    }

    /// Runs SQL as MariaDB's root (for what the restoring account may not do, such as CREATE USER).
    func executeAsMariaDBRoot(_ sql: String) async throws {
        let binaries = try await MariaDBBinaries.locate(in: MariaDBEngine.defaultSearchPaths, deadline: .now + .seconds(60))
        let outcome = try await Runbook.execute(
            binaries.client, ["--no-defaults", "--batch", "--socket=\(socket)", "-u", "root", "-e", sql], environment: [:])
        guard outcome.succeeded else { throw RunbookDatabaseError.unexpected("mariadb -e \(sql): \(outcome)") }
    }
}

enum RunbookDatabaseError: Error, CustomStringConvertible {
    case unexpected(String)
    var description: String {
        switch self {
        case .unexpected(let text): text
        }
    }
}
