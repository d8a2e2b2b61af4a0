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

/// A statement appended after the dump whose output proves the client read the dump to its end: a dump that
/// makes the client quit early (`quit`, `exit`) or ends inside an unterminated statement or string must fail
/// its restore, not pass with half its data.
func restoreSentinel() -> String {
    "backupfeed-restore-complete-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
}

/// Throws `restoreFailed` when the client's output lacks the sentinel's result.
func checkSentinel(_ sentinel: String, in output: String, client: String) throws {
    guard !output.contains(sentinel) else { return }
    throw EngineError.restoreFailed(
        "\(client) stopped before the end of the dump (an unterminated statement or string, or a command that ends the client): \(errorLine(output))")
}

/// When the client failed on our sentinel itself, the dump's last statement or string was never closed:
/// say that rather than quote a syntax error about a statement the dump does not contain.
func failedOnSentinel(_ output: String) -> Bool {
    let reason = errorLine(output)
    return reason.contains("near \"backupfeed\"") || reason.contains("backupfeed-restore-complete-")
}

/// The reason for a failed restore, in words about the dump.
func restoreFailure(client: String, status: TerminationStatus, output: String) -> String {
    failedOnSentinel(output)
        ? "the dump ends inside an unterminated statement or string (cut short?): \(client) \(status): \(errorLine(output))"
        : "\(client) \(status): \(errorLine(output))"
}

/// The last few lines of a log, for a one-line error message.
func lastLines(_ text: String, count: Int = 3) -> String {
    text.split(whereSeparator: \.isNewline).suffix(count).joined(separator: " | ")
}
