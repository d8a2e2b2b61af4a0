import Foundation

/// Python tools the contract tests drive (schemathesis, openapi-spec-validator, PyYAML), installed by
/// scripts/test.sh through `ensure_pip_packages`.
enum PythonTool {
    struct Result {
        let status: Int32
        /// stdout and stderr interleaved, as a person would read them in a terminal.
        let output: String
        let timedOut: Bool
    }

    /// The repository root, found from this file so that tests do not depend on the working directory.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Whether `python3` can import every module (looked up with importlib, without importing: fast).
    /// Evaluated once while the test plan is built, before any server under test runs.
    static func hasModules(_ modules: [String]) -> Bool {
        let names = modules.map { "'\($0)'" }.joined(separator: ", ")
        let script = "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in [\(names)]) else 1)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static let schemathesisInstalled = hasModules(["schemathesis", "openapi_spec_validator"])
    static let yamlInstalled = hasModules(["yaml"])
    /// Locally a missing tool skips its tests; in CI nothing is skipped, so they run and fail saying what is missing.
    static var runSchemathesis: Bool { schemathesisInstalled || isCI }
    static var runYAML: Bool { yamlInstalled || isCI }

    /// Runs `python3 ARGUMENTS` in `directory` on its own thread (never blocking the cooperative pool that the
    /// server under test may share), killing it after `timeout`.
    static func run(_ arguments: [String], in directory: URL? = nil, timeout: TimeInterval) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try runBlocking(arguments, in: directory, timeout: timeout) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], in directory: URL?, timeout: TimeInterval) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        environment["NO_COLOR"] = "1"
        process.environment = environment
        // One pipe for both streams: reading two pipes one after the other deadlocks when the second fills up.
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let timedOut = LockedFlag()
        let running = RunningProcess(process)
        let watchdog = DispatchWorkItem {
            guard running.process.isRunning else { return }
            timedOut.set()
            running.process.terminate()
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self), timedOut: timedOut.value)
    }
}

/// Hands the process to the watchdog's queue; Process itself is thread-safe for isRunning and terminate.
private final class RunningProcess: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}

/// A flag set from the watchdog's queue and read by the thread that waited for the process.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}
