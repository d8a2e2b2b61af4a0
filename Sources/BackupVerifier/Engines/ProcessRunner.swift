import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

#if canImport(Glibc)
import Glibc
#endif

/// One program to run inside a sandbox: absolute path, arguments, a minimal environment and the account.
struct ProcessSpec: Sendable {
    var executable: String
    var arguments: [String]
    var environment: [String: String] = [:]
    var workingDirectory: String?
    var user: SandboxUser?
    /// The OS sandbox and limits for a program that touches dump bytes; nil for our own helpers (`cp`, template builds).
    var confinement: ProcessConfinement?
    /// How to stop it on timeout or teardown; nil: SIGTERM to the group, then SIGKILL.
    var teardown: [TeardownStep]?
    /// The run's deadline, which bounds the confined program's CPU time too.
    var deadline: ContinuousClock.Instant?

    /// What the program is, for error messages (never its arguments: they can hold SQL from a policy).
    var displayName: String { (executable as NSString).lastPathComponent }

    func configuration() -> Configuration {
        var env: [Environment.Key: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"]
        for (key, value) in environment { env[Environment.Key(stringLiteral: key)] = value }
        // The account is dropped by setpriv(1), not by Subprocess's uid/gid options: those make it fork and call
        // setgroups() in the child, and glibc's setgroups takes a loader lock that another thread may have held
        // at fork time, so under load the child hangs before exec (seen: the full test suite deadlocked).
        var program = executable
        var programArguments = arguments
        if let confinement {
            let cpuSeconds = deadline.map { Int(($0 - .now).components.seconds) + 30 }
            (program, programArguments) = confinement.wrap(executable, arguments, workingDirectory: workingDirectory, cpuSeconds: cpuSeconds)
        }
        if let user {
            programArguments = ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups", "--inh-caps=-all", "--", program] + programArguments
            program = ProcessRunner.setprivPath
        }
        return Configuration(
            executable: .path(FilePath(program)),
            arguments: Arguments(programArguments),
            environment: .custom(env),
            workingDirectory: workingDirectory.map { FilePath($0) },
            platformOptions: ProcessRunner.platformOptions(teardown: teardown)
        )
    }
}

/// How a finished program ended and the end of what it printed.
struct ProcessResult: Sendable {
    var status: TerminationStatus
    var output: String

    var succeeded: Bool { status.isSuccess }
}

/// Runs sandbox programs: each in its own session (so its whole process group can be killed), as the sandbox
/// user, under a wall-clock deadline after which the group gets SIGTERM and then SIGKILL.
enum ProcessRunner {
    /// Output kept for the report and error messages; a hostile dump could print gigabytes.
    /// Query results (table lists, collation lists) ask for more with `queryOutputLimit`.
    static let outputCap = 16 * 1024
    static let queryOutputLimit = 32 * 1024 * 1024

    /// Writing into a client that already exited (it stopped at the first SQL error) must surface as an
    /// EPIPE error, not kill the whole server with SIGPIPE.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// util-linux's setpriv (always on Debian): sets uid and gid and drops root's supplementary groups, which
    /// could grant access to files the sandbox user must not read, then execs the program in place.
    static let setprivPath = "/usr/bin/setpriv"
    /// util-linux's prlimit: sets resource limits, then execs the program in place (the pid stays the same).
    static let prlimitPath = "/usr/bin/prlimit"

    static func platformOptions(teardown: [TeardownStep]? = nil) -> PlatformOptions {
        _ = ignoreSIGPIPE
        var options = PlatformOptions()
        // A new session makes the child a process-group leader, so the teardown reaches its children too.
        options.createSession = true
        options.teardownSequence = teardown ?? [
            .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(1500)),
            .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(500)),
        ]
        return options
    }

    /// Runs `spec` to completion, feeding its stdin through `input` (stdin is empty when nil),
    /// and returns its status with the tail of stdout+stderr. Throws `EngineError.timedOut` at the deadline.
    static func run(_ spec: ProcessSpec, deadline: ContinuousClock.Instant, outputLimit: Int = outputCap) async throws -> ProcessResult {
        try await run(spec, deadline: deadline, outputLimit: outputLimit) { _ in () }.result
    }

    /// Like `run(_:deadline:)`, with `input` writing the program's stdin; its value is nil when the program
    /// closed stdin before `input` was done (it stopped at an error).
    static func run<Fed: Sendable>(
        _ spec: ProcessSpec,
        deadline: ContinuousClock.Instant,
        outputLimit: Int = outputCap,
        input: @escaping @Sendable (StandardInputWriter) async throws -> Fed
    ) async throws -> (result: ProcessResult, fed: Fed?) {
        var spec = spec
        if spec.deadline == nil { spec.deadline = deadline }
        return try await withDeadline(deadline, what: spec.displayName) { [spec] in
            let result = try await Subprocess.run(
                spec.configuration(), input: .inputWriter, output: .sequence, error: .combinedWithOutput
            ) { execution in
                try await withThrowingTaskGroup(of: String.self) { group in
                    group.addTask {
                        var tail = TailBuffer(capacity: outputLimit)
                        for try await buffer in execution.standardOutput {
                            buffer.withUnsafeBytes { tail.append($0) }
                        }
                        return tail.text
                    }
                    var fed: Fed?
                    var refused: (any Error)?
                    do {
                        fed = try await input(execution.standardInputWriter)
                    } catch is SubprocessError {
                        // The client closed its stdin early (it exited on an error): its exit status and
                        // output say why, so keep going and collect them instead of reporting EPIPE.
                    } catch {
                        // We stopped feeding (the dump was refused): the client must not run what it already
                        // has, and must not linger. Killing its group ends its sandbox with it.
                        refused = error
                        _ = kill(-execution.processIdentifier.value, SIGKILL)
                    }
                    try? await execution.standardInputWriter.finish()
                    let output = try await group.next() ?? ""
                    return (output, fed, refused)
                }
            }
            let (output, fed, refused) = result.closureResult
            if let refused { throw refused }
            return (ProcessResult(status: result.terminationStatus, output: output), fed)
        }
    }

    /// Runs `body`, but throws `EngineError.timedOut` at `deadline`; cancelling the body makes Subprocess run
    /// the teardown sequence, which kills the program's whole process group.
    static func withDeadline<T: Sendable>(
        _ deadline: ContinuousClock.Instant, what: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard deadline > .now else { throw EngineError.timedOut("deadline passed before \(what) started") }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw EngineError.timedOut("\(what) did not finish before the deadline and was killed")
            }
            return value
        }
    }
}

/// Keeps the last `capacity` bytes of a stream.
struct TailBuffer {
    let capacity: Int
    private(set) var bytes: [UInt8] = []
    private(set) var dropped = 0

    init(capacity: Int) { self.capacity = capacity }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: chunk)
        if bytes.count > capacity * 2 {
            let excess = bytes.count - capacity
            dropped += excess
            bytes.removeFirst(excess)
        }
    }

    /// The tail as text, trimmed to `capacity`.
    var text: String {
        String(decoding: bytes.suffix(capacity), as: UTF8.self)
    }
}
