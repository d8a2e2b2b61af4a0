import Foundation
import Logging
import Subprocess

/// Builds the template cluster every PostgreSQL sandbox is copied from.
///
/// Copy time grows with the number of files (one per relation), so the template keeps only what a run needs:
/// `template1` (where the superuser connects to rename the target) and the empty target database owned by the
/// restoring role. `postgres` and `template0` are dropped (pg_dump --create's `CREATE DATABASE … TEMPLATE
/// template0` is skipped by the rewriter anyway: everything restores into the sandbox database), and 1 MB WAL
/// segments replace the 16 MB default.
enum PostgresTemplate {
    static func build(in directory: URL, binaries: PostgresBinaries, user: SandboxUser?, logger: Logger) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        logger.info("building the PostgreSQL template data directory (once per version)", metadata: ["path": "\(directory.path)"])
        let data = directory.path + "/data"
        // Marked before the first program runs: a crash (or a wedged spawn) in the middle of initialising must not
        // leave a `.building-*` directory that no startup cleanup would ever remove.
        try SandboxDirectory.writeMarker(in: directory)
        let initdb = try await ProcessRunner.run(ProcessSpec(
            executable: binaries.path("initdb"),
            arguments: ["--no-sync", "--wal-segsize=1", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-D", data],
            environment: ["HOME": directory.path], workingDirectory: directory.path, user: user), deadline: deadline)
        guard initdb.succeeded else { throw EngineError.internalFailure("initdb failed (\(initdb.status)): \(lastLines(initdb.output))") }

        // The template's own server listens on a short private socket directory (socket paths are limited).
        let socketDirectory = URL(fileURLWithPath: "/tmp/backupfeed-sock-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: socketDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: socketDirectory) }
        try SandboxFiles.chown(socketDirectory.path, to: user)
        // Until the build is done this is a sandbox like any other: a crash leaves a server SandboxCleanup must kill.
        try SandboxDirectory.writeMarker(in: directory, extraDirectories: [socketDirectory.path])
        let server = ProcessServer(ProcessSpec(
            executable: binaries.path("postgres"),
            arguments: ["-D", data, "-c", "listen_addresses=", "-k", socketDirectory.path, "-c", "fsync=off"],
            environment: ["HOME": directory.path], workingDirectory: directory.path, user: user,
            // SIGINT is a fast shutdown with a final checkpoint: the template must be consistent on disk.
            teardown: [
                .send(signal: .interrupt, toProcessGroup: true, allowedDurationToNextStep: .seconds(20)),
                .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(500)),
            ]), pidFile: directory.appendingPathComponent("server.pid"), logger: logger)
        try await TemplateBuild.configure(server, in: directory) {
            try await server.waitUntilReady(deadline: deadline) { PostgresSandbox.isReady(dataDirectory: data) }
            let role = PostgresSandbox.restoringRole
            let setup = try await ProcessRunner.run(ProcessSpec(
                executable: binaries.path("psql"),
                arguments: [
                    "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory.path, "-U", "postgres", "-d", "template1",
                    // CREATEDB: a pg_dumpall's databases are each restored into a database of their own. Never
                    // CREATEROLE: in PostgreSQL 15 it can grant itself pg_execute_server_program; roles are created
                    // stripped by a function of the superuser's instead (in template1, so every database has it).
                    "-c", "CREATE ROLE \(role) LOGIN NOSUPERUSER NOCREATEROLE CREATEDB NOREPLICATION NOBYPASSRLS",
                    "-c", PostgresRoleStatements.setupSQL,
                    "-c", "GRANT USAGE ON SCHEMA backupfeed_sandbox TO \(role)",
                    "-c", "GRANT EXECUTE ON FUNCTION backupfeed_sandbox.create_role(text) TO \(role)",
                    "-c", "CREATE DATABASE \(targetDatabase) OWNER \(role)",
                    "-c", "DROP DATABASE postgres",
                    "-c", "ALTER DATABASE template0 IS_TEMPLATE false",
                    "-c", "DROP DATABASE template0",
                ],
                environment: ["HOME": directory.path], workingDirectory: directory.path, user: user), deadline: deadline)
            guard setup.succeeded else { throw EngineError.internalFailure("cannot prepare the PostgreSQL template: \(lastLines(setup.output))") }
        }
    }
}
