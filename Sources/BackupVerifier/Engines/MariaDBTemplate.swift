import Foundation
import Logging
import Subprocess

/// Builds the template data directory every MariaDB sandbox is copied from: `mariadb-install-db`, then a
/// `restorer@localhost` account the dump runs as (its grants: `MariaDBPrivileges`).
///
/// The dump must not run as root: root may `SET GLOBAL general_log_file='/anywhere'` and make the server write
/// there, which no client or server flag prevents. `restorer` holds every privilege a dump needs to rebuild
/// schemas and data, and none of FILE (INTO OUTFILE, LOAD DATA, LOAD_FILE), SUPER (SET GLOBAL, DEFINER of
/// someone else), RELOAD, SHUTDOWN, PROCESS, CREATE USER or GRANT OPTION.
enum MariaDBTemplate {
    static let restoringUser = "restorer"

    /// Server options that are part of the data directory, so the template and every run must agree on them.
    static func sharedOptions(lowerCaseTableNames: Bool) -> [String] {
        MariaDBBinaries.sharedServerOptions + ["--lower-case-table-names=\(lowerCaseTableNames ? 1 : 0)"]
    }

    static func build(in directory: URL, binaries: MariaDBBinaries, lowerCaseTableNames: Bool, user: SandboxUser?, logger: Logger) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        logger.info("building the MariaDB template data directory (once per version)", metadata: ["path": "\(directory.path)"])
        let data = directory.path + "/data"
        // Marked before the first program runs: a crash (or a wedged spawn) in the middle of initialising must not
        // leave a `.building-*` directory that no startup cleanup would ever remove.
        try SandboxDirectory.writeMarker(in: directory)
        let install = try await ProcessRunner.run(ProcessSpec(
            executable: binaries.installDB,
            arguments: [
                "--no-defaults", "--datadir=\(data)", "--auth-root-authentication-method=normal", "--skip-test-db",
                "--skip-name-resolve",
            ] + sharedOptions(lowerCaseTableNames: lowerCaseTableNames),
            environment: ["HOME": directory.path], workingDirectory: directory.path, user: user), deadline: deadline)
        guard install.succeeded else {
            let errors = install.output.split(whereSeparator: \.isNewline).filter { $0.contains("ERROR") || $0.contains("rror:") }
            throw EngineError.internalFailure(
                "mariadb-install-db failed (\(install.status)): \(errors.isEmpty ? lastLines(install.output) : errors.prefix(3).joined(separator: " | "))")
        }

        // Socket paths are limited in length: the template's own server listens in a short private directory.
        let socketDirectory = URL(fileURLWithPath: "/tmp/backupfeed-sock-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: socketDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: socketDirectory) }
        try SandboxFiles.chown(socketDirectory.path, to: user)
        // Until the build is done this is a sandbox like any other: a crash leaves a server SandboxCleanup must kill.
        try SandboxDirectory.writeMarker(in: directory, extraDirectories: [socketDirectory.path])
        let socket = socketDirectory.path + "/mariadbd.sock"
        let server = ProcessServer(ProcessSpec(
            executable: binaries.server,
            arguments: ["--no-defaults", "--datadir=\(data)", "--skip-networking", "--socket=\(socket)", "--skip-log-bin"]
                + sharedOptions(lowerCaseTableNames: lowerCaseTableNames),
            environment: ["HOME": directory.path], workingDirectory: directory.path, user: user,
            // SIGTERM is a clean shutdown: the template must be consistent on disk.
            teardown: [
                .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: .seconds(20)),
                .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(500)),
            ]), pidFile: directory.appendingPathComponent("server.pid"), logger: logger)
        try await TemplateBuild.configure(server, in: directory) {
            try await server.waitUntilReady(deadline: deadline) { UnixSocketProbe.accepts(socket) }
            let account = "'\(restoringUser)'@'localhost'"
            let setup = try await ProcessRunner.run(ProcessSpec(
                executable: binaries.client,
                arguments: ["--no-defaults", "--batch", "--socket=\(socket)", "-u", "root"],
                environment: ["HOME": directory.path], workingDirectory: directory.path, user: user), deadline: deadline) { writer in
                _ = try await writer.write(Array(MariaDBPrivileges.setupSQL(account: account).utf8))
            }.result
            guard setup.succeeded else { throw EngineError.internalFailure("cannot prepare the MariaDB template: \(lastLines(setup.output))") }
        }
    }
}
