import Foundation
import Logging
import Subprocess
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Restores MySQL/MariaDB dumps into a throwaway `mariadbd` started from a template data directory:
/// unix socket only, `--secure-file-priv` pointing at an empty directory, no `LOCAL INFILE`, as the sandbox user.
public struct MariaDBEngine: RestoreEngine {
    public var name: String { "mariadb" }
    /// Where initialised template data directories are kept between runs (e.g. `<workRoot>/templates`).
    public let templateRoot: URL
    /// Directories searched for `mariadbd`, `mariadb-install-db` and `mariadb`.
    public let searchPaths: [String]

    public static let defaultSearchPaths = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/usr/libexec"]
    /// The OS sandbox and limits every server and client of a run gets.
    public let sandbox: SandboxSettings

    public init(templateRoot: URL, searchPaths: [String] = MariaDBEngine.defaultSearchPaths, sandbox: SandboxSettings = SandboxSettings()) {
        self.templateRoot = templateRoot
        self.searchPaths = searchPaths
        self.sandbox = sandbox
    }

    public func makeSandbox(
        database: String, workDirectory: URL, deadline: ContinuousClock.Instant, logger: Logger
    ) async throws -> any DatabaseSandbox {
        let binaries = try await MariaDBBinaries.locate(in: searchPaths, deadline: deadline)
        let user = try SandboxUser.resolve()
        let isolation = try await sandbox.isolation(for: user, engine: "MariaDB")
        let directory = try SandboxDirectory.create(
            in: workDirectory, engine: "mariadb", user: user, isolation: isolation, limits: sandbox.limits)
        return MariaDBSandbox(
            binaries: binaries, directory: directory, database: database, templates: templateProvider(binaries, user: user, logger: logger),
            deadline: deadline, logger: logger)
    }

    /// Builds (once) and returns the template data directory for one lower_case_table_names mode; the mode is
    /// fixed when a data directory is initialised, hence one template per mode.
    private func templateProvider(_ binaries: MariaDBBinaries, user: SandboxUser?, logger: Logger) -> @Sendable (Bool) async throws -> URL {
        let root = templateRoot
        return { lowerCase in
            let version = binaries.version.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
            let key = "mariadb-\(version)-t3-lc\(lowerCase ? 1 : 0)-u\(user?.uid ?? UInt32(getuid()))"
            return try await SandboxTemplateCache.shared.template(root: root, key: key, user: user) { temp in
                try await MariaDBTemplate.build(in: temp, binaries: binaries, lowerCaseTableNames: lowerCase, user: user, logger: logger)
            }.appendingPathComponent("data")
        }
    }
}

/// The MariaDB programs and the server version they report.
struct MariaDBBinaries: Sendable {
    var server: String
    var installDB: String
    var client: String
    var version: String

    /// Server options used both when initialising the template and when running it: the redo log size is
    /// part of the data directory, and a small one keeps the template (copied per run) small.
    static let sharedServerOptions = ["--innodb-log-file-size=8M", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci"]

    private static let versions = Mutex<[String: String]>([:])

    static func locate(in searchPaths: [String], deadline: ContinuousClock.Instant) async throws -> MariaDBBinaries {
        func find(_ names: [String]) -> String? {
            for directory in searchPaths {
                for name in names {
                    let path = directory + "/" + name
                    if FileManager.default.isExecutableFile(atPath: path) { return path }
                }
            }
            return nil
        }
        guard let server = find(["mariadbd", "mysqld"]), let installDB = find(["mariadb-install-db", "mysql_install_db"]),
              let client = find(["mariadb", "mysql"]) else {
            throw EngineError.unavailable("MariaDB is not installed: apt-get install mariadb-server")
        }
        var binaries = MariaDBBinaries(server: server, installDB: installDB, client: client, version: "")
        if let cached = versions.withLock({ $0[server] }) {
            binaries.version = cached
            return binaries
        }
        let result = try await ProcessRunner.run(ProcessSpec(executable: server, arguments: ["--version"]), deadline: deadline)
        // "mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)"
        guard result.succeeded, let match = result.output.firstMatch(of: #/Ver\s+(\S+)/#) else {
            throw EngineError.unavailable("\(server) --version failed: \(lastLines(result.output)); reinstall mariadb-server")
        }
        binaries.version = String(match.output.1)
        versions.withLock { $0[server] = binaries.version }
        return binaries
    }
}
