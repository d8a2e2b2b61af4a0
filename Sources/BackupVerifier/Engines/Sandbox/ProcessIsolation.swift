import Foundation
import Synchronization

/// Whether programs that touch dump bytes run inside an OS sandbox (bubblewrap namespaces), and why not.
public enum ProcessIsolation: Sendable, Equatable {
    /// Each program runs under `bwrap`: no network, its own PID namespace that dies with the server, a
    /// read-only system, and only its run directory writable.
    case bubblewrap(executable: String)
    /// No sandbox could be made; the reason says what is missing.
    case unconfined(reason: String)

    public static let bubblewrapSearchPaths = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"]

    public var isConfined: Bool {
        if case .bubblewrap = self { return true }
        return false
    }

    private static let probed = Mutex<[UInt32: ProcessIsolation]>([:])

    /// Finds bubblewrap and proves, once per account, that it can build a sandbox here: a container without
    /// user namespaces, or a seccomp profile that forbids them, makes it fail even though it is installed.
    static func detect(user: SandboxUser?) async -> ProcessIsolation {
        let uid = user?.uid ?? UInt32(getuid())
        if let known = probed.withLock({ $0[uid] }) { return known }
        let result = await probe(user: user)
        // A probe cut short (its task cancelled, its deadline passed on a loaded machine) says nothing about this
        // machine: remembering it would refuse every later run until a restart.
        if !Task.isCancelled, result.answersForTheMachine { probed.withLock { $0[uid] = result.isolation } }
        return result.isolation
    }

    /// Forgets what the probes found (tests: a later probe must run again).
    static func forgetProbes() { probed.withLock { $0.removeAll() } }

    private struct ProbeResult {
        var isolation: ProcessIsolation
        var answersForTheMachine = true
    }

    private static func probe(user: SandboxUser?) async -> ProbeResult {
        guard let bwrap = bubblewrapSearchPaths.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return ProbeResult(isolation: .unconfined(reason: "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"))
        }
        let isolation = ProcessIsolation.bubblewrap(executable: bwrap)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-probe-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            try SandboxFiles.chown(scratch.path, to: user)
        } catch {
            return ProbeResult(isolation: .unconfined(reason: "cannot prepare the sandbox probe: \(error.localizedDescription)"), answersForTheMachine: false)
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let spec = ProcessSpec(
            executable: "/bin/sh", arguments: ["-c", "echo probe > \(scratch.path)/written"], workingDirectory: scratch.path, user: user,
            confinement: ProcessConfinement(isolation: isolation, writable: [scratch.path], limits: ResourceLimits()))
        do {
            let result = try await ProcessRunner.run(spec, deadline: .now + .seconds(20))
            guard result.succeeded, FileManager.default.fileExists(atPath: scratch.path + "/written") else {
                return ProbeResult(isolation: .unconfined(
                    reason: "bubblewrap cannot create a sandbox here (\(result.status)): \(lastLines(result.output)); "
                        + "it needs user namespaces (sysctl kernel.unprivileged_userns_clone=1; in a container, a seccomp profile that allows them)"))
            }
            return ProbeResult(isolation: isolation)
        } catch {
            // Cancelled or timed out: the next run probes again.
            return ProbeResult(isolation: .unconfined(reason: "bubblewrap did not run: \(error)"), answersForTheMachine: false)
        }
    }
}

/// What the operator chose about sandboxing, handed to every engine.
public struct SandboxSettings: Sendable, Equatable {
    /// `serve --unsafe-no-sandbox`: run MariaDB, PostgreSQL and the SQLite restore child without an OS sandbox
    /// when none can be made.
    public var allowUnconfined: Bool
    public var limits: ResourceLimits

    public init(allowUnconfined: Bool = false, limits: ResourceLimits = ResourceLimits()) {
        self.allowUnconfined = allowUnconfined
        self.limits = limits
    }

    /// The isolation for programs run as `user`, or `EngineError.unavailable` naming why there is none and
    /// how to fix it, unless the operator allowed running unconfined.
    func isolation(for user: SandboxUser?, engine: String) async throws -> ProcessIsolation {
        let isolation = await ProcessIsolation.detect(user: user)
        if case .unconfined(let reason) = isolation, !allowUnconfined {
            throw EngineError.unavailable(
                "refusing to run \(engine) on a pushed dump without an OS sandbox: \(reason). "
                    + "Fix that (docs/operations.md, \"Sandbox\"), or accept the risk with `serve --unsafe-no-sandbox`")
        }
        return isolation
    }
}
