import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Restores pg_dump output (plain and custom format) into a throwaway `postgres` started from a template
/// cluster: unix socket only, as the sandbox user, restored by a role that is not a superuser (so
/// `COPY … TO PROGRAM`, server-side file access and untrusted languages are refused).
public struct PostgresEngine: RestoreEngine {
    public var name: String { "postgres" }
    /// Where initialised template clusters are kept between runs (e.g. `<workRoot>/templates`).
    public let templateRoot: URL
    /// Holds one directory per major version with a `bin/` inside (Debian's layout); the highest is used.
    public let installRoot: URL

    /// The OS sandbox and limits every server and client of a run gets.
    public let sandbox: SandboxSettings

    public init(
        templateRoot: URL, installRoot: URL = URL(fileURLWithPath: "/usr/lib/postgresql"), sandbox: SandboxSettings = SandboxSettings()
    ) {
        self.templateRoot = templateRoot
        self.installRoot = installRoot
        self.sandbox = sandbox
    }

    public func makeSandbox(
        database: String, workDirectory: URL, deadline: ContinuousClock.Instant, logger: Logger
    ) async throws -> any DatabaseSandbox {
        let binaries = try await PostgresBinaries.locate(under: installRoot, deadline: deadline)
        let user = try SandboxUser.resolve()
        let isolation = try await sandbox.isolation(for: user, engine: "PostgreSQL")
        let template = try await self.template(binaries, user: user, logger: logger)
        let directory = try SandboxDirectory.create(
            in: workDirectory, engine: "postgres", user: user, isolation: isolation, limits: sandbox.limits)
        let sandbox = PostgresSandbox(binaries: binaries, directory: directory, database: database, deadline: deadline, logger: logger)
        do {
            try await sandbox.start(from: template, deadline: deadline)
        } catch {
            await sandbox.tearDown()
            throw error
        }
        return sandbox
    }

    /// An initialised cluster owned by the sandbox user, built once per server version and user, already holding
    /// the restoring role and an empty database it owns (renamed per run): a run then only copies and starts.
    private func template(_ binaries: PostgresBinaries, user: SandboxUser?, logger: Logger) async throws -> URL {
        let key = "postgres-\(binaries.version)-t4-u\(user?.uid ?? UInt32(getuid()))"
        return try await SandboxTemplateCache.shared.template(root: templateRoot, key: key, user: user) { temp in
            try await PostgresTemplate.build(in: temp, binaries: binaries, user: user, logger: logger)
        }.appendingPathComponent("data")
    }
}

/// The PostgreSQL programs of the highest installed version, and what its psql supports.
struct PostgresBinaries: Sendable {
    var bin: URL
    /// "15.18"
    var version: String
    /// psql knows `\restrict` (15.14+, 16.10+, 17.6+): without it, meta-commands in a plain dump cannot be fenced.
    var psqlHasRestrict: Bool

    func path(_ program: String) -> String { bin.appendingPathComponent(program).path }

    private static let cache = Mutex<[String: PostgresBinaries]>([:])

    static func locate(under root: URL, deadline: ContinuousClock.Instant) async throws -> PostgresBinaries {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .compactMap { name -> (Double, URL)? in
                let bin = root.appendingPathComponent(name).appendingPathComponent("bin")
                let complete = ["postgres", "initdb", "psql", "pg_restore"].allSatisfy {
                    FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent($0).path)
                }
                guard complete, let number = Double(name) else { return nil }
                return (number, bin)
            }
        guard let bin = versions.max(by: { $0.0 < $1.0 })?.1 else {
            throw EngineError.unavailable("PostgreSQL is not installed: apt-get install postgresql")
        }
        if let cached = cache.withLock({ $0[bin.path] }) { return cached }
        let server = try await ProcessRunner.run(ProcessSpec(executable: bin.appendingPathComponent("postgres").path, arguments: ["--version"]), deadline: deadline)
        // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        guard server.succeeded, let match = server.output.firstMatch(of: #/PostgreSQL\)\s+(\S+)/#) else {
            throw EngineError.unavailable("postgres --version failed: \(lastLines(server.output)); reinstall postgresql")
        }
        let help = try await ProcessRunner.run(
            ProcessSpec(executable: bin.appendingPathComponent("psql").path, arguments: ["--help=commands"]), deadline: deadline,
            outputLimit: ProcessRunner.queryOutputLimit)
        let binaries = PostgresBinaries(bin: bin, version: String(match.output.1), psqlHasRestrict: help.output.contains("\\restrict"))
        cache.withLock { $0[bin.path] = binaries }
        return binaries
    }
}
