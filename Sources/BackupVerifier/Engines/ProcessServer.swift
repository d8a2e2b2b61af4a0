import Foundation
import Logging
import Subprocess
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A database server process that lives for the whole sandbox: started in its own session as the sandbox user,
/// recorded in a pid file (so a crashed BackupFeed can kill it at the next start), stopped with its whole
/// process group.
final class ProcessServer: Sendable {
    private struct State {
        var pid: pid_t?
        var exited = false
        var log = TailBuffer(capacity: 8 * 1024)
    }

    /// A reference the server task and the owner share (a Mutex itself cannot be captured).
    private final class Shared: Sendable {
        let mutex = Mutex(State())
        func withLock<R>(_ body: (inout State) -> R) -> R { mutex.withLock { body(&$0) } }
    }

    let spec: ProcessSpec
    private let state = Shared()
    private let task: Task<Void, Never>

    /// Spawns the server; `pidFile` gets its pid as soon as it exists.
    init(_ spec: ProcessSpec, pidFile: URL, logger: Logger) {
        self.spec = spec
        let state = self.state
        task = Task {
            do {
                _ = try await Subprocess.run(
                    spec.configuration(), input: .none, output: .sequence, error: .combinedWithOutput
                ) { execution in
                    let pid = execution.processIdentifier.value
                    state.withLock { $0.pid = pid }
                    try? "\(pid)\n".write(to: pidFile, atomically: true, encoding: .utf8)
                    // Reading to EOF doubles as "wait until the server exits": its output pipe closes then.
                    // On cancellation Subprocess runs the teardown sequence (TERM, then KILL, to the group).
                    for try await buffer in execution.standardOutput {
                        buffer.withUnsafeBytes { bytes in state.withLock { $0.log.append(bytes) } }
                    }
                }
            } catch {
                logger.debug("server process ended", metadata: ["program": "\(spec.displayName)", "error": "\(error)"])
            }
            state.withLock { $0.exited = true }
        }
    }

    var pid: pid_t? { state.withLock { $0.pid } }
    var hasExited: Bool { state.withLock { $0.exited } }
    /// The end of the server's own log, to explain a failed start.
    var logTail: String { state.withLock { $0.log.text } }

    /// Polls `isReady` until it holds, the server dies, or the deadline passes.
    func waitUntilReady(deadline: ContinuousClock.Instant, _ isReady: @Sendable () async -> Bool) async throws {
        while true {
            if hasExited {
                throw EngineError.internalFailure("\(spec.displayName) exited during startup: \(lastLines(logTail))")
            }
            if await isReady() { return }
            if ContinuousClock.now >= deadline {
                throw EngineError.timedOut("\(spec.displayName) did not become ready before the deadline")
            }
            try await Task.sleep(for: .milliseconds(15))
        }
    }

    /// Stops the server and its whole process group (TERM, then KILL), and waits until it is gone.
    func stop() async {
        task.cancel()
        await task.value
    }
}

/// The client's own error line ("ERROR 1146 (42S02) at line 57: …"), not the statement it echoes around it:
/// reports must not quote dump contents.
func errorLine(_ output: String) -> String {
    let lines = output.split(whereSeparator: \.isNewline)
    if let error = lines.last(where: { $0.hasPrefix("ERROR") || $0.contains("ERROR:") || $0.hasPrefix("psql:") || $0.hasPrefix("pg_restore:") }) {
        return String(error.prefix(500))
    }
    return String(lastLines(output).prefix(500))
}

/// The last few lines of a log, for a one-line error message.
func lastLines(_ text: String, count: Int = 3) -> String {
    text.split(whereSeparator: \.isNewline).suffix(count).joined(separator: " | ")
}
