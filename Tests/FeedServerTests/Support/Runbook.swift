import Foundation

/// The scripts of docs/runbooks run as a user runs them: `/bin/bash SCRIPT` with nothing but the documented
/// environment variables on top of a cron-like minimal environment (PATH, an empty HOME, LANG).
enum Runbook {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Support
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()  // repository root
        .appendingPathComponent("docs/runbooks")

    /// What a program printed and how it ended.
    struct Outcome: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        var succeeded: Bool { status == 0 }
        var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// Runs `docs/runbooks/<name>` with `variables`; stopped (with everything it started) after `timeout` seconds.
    static func run(_ name: String, _ variables: [String: String], timeout: Int = 300) async throws -> Outcome {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": home.path, "LANG": "C.UTF-8",
        ].merging(variables) { $1 }
        // timeout(1) runs the script in a process group of its own and signals the whole group.
        return try await execute(
            "/usr/bin/timeout", ["--kill-after=10", String(timeout), "/bin/bash", directory.appendingPathComponent(name).path],
            environment: environment)
    }

    /// Runs a program to its end on a thread of its own: the server and the databases under test answer from this
    /// process's cooperative pool, which a blocking wait must not hold. Output goes through files (no pipe to fill).
    static func execute(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try executeBlocking(executable, arguments, environment: environment) })
            }
        }
    }

    private static func executeBlocking(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        defer { try? outHandle.close(); try? errHandle.close() }
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
