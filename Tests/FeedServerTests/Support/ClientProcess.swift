import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `backupfeed` binary as a person or a script runs `push` and `pull`, on its own thread: the
/// test's own cooperative pool must stay free while the process works.
enum ClientProcess {
    struct Result: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// `environment` is added to this process's own, from which BACKUPFEED_SERVER and BACKUPFEED_API_KEY are removed
    /// first so that only what a test passes counts.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try runBlocking(arguments, environment: environment) })
            }
        }
    }

    /// Runs the binary with a pseudo-terminal as stdout and stderr (util-linux `script`), as when a person types the
    /// command; returns what the terminal received. Arguments must not need shell quoting.
    static func runInTerminal(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let command = ([try ServerProcess.requireExecutable().path] + arguments).joined(separator: " ")
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result {
                    try runBlocking(["-qec", command, "/dev/null"], environment: environment, executable: URL(fileURLWithPath: "/usr/bin/script"))
                })
            }
        }
    }

    /// Starts the binary with its output discarded, for a test that signals it; `wait(for:)` collects it.
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try ServerProcess.requireExecutable()
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The exit status of a started process, waited for on its own thread; SIGKILLed when it outlives `killAfter`.
    static func wait(for process: Process, killAfter limit: Duration) async throws -> Int32 {
        let watchdog = Task {
            try await Task.sleep(for: limit)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        defer { watchdog.cancel() }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    /// Output goes to files, not pipes: reading one pipe to its end while the other fills up would deadlock.
    private static func runBlocking(_ arguments: [String], environment: [String: String], executable: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = try executable ?? ServerProcess.requireExecutable()
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "BACKUPFEED_SERVER")
        merged.removeValue(forKey: "BACKUPFEED_API_KEY")
        process.environment = merged.merging(environment) { $1 }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? outHandle.close()
        try? errHandle.close()
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// The SHA-256 of a file by coreutils' sha256sum, an implementation independent of the one under test.
    static func sha256sum(_ file: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
