import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `ROOT/run-<pid>-<random>/`: the directory of one verification run. Engines create their sandboxes inside
/// (with their own pid files); the whole directory is removed when the run ends.
enum RunDirectory {
    static let prefix = "run-"

    /// Mode 0711: engines that drop to an unprivileged uid must traverse it, nobody may list it.
    static func create(under root: URL) throws -> URL {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        // The owner's start time makes the name unambiguous even after its pid is reused (see `isOwnerAlive`).
        let name = "\(prefix)\(getpid())-\(startTime(of: getpid()) ?? 0)-\(UUID().uuidString.prefix(8).lowercased())"
        let url = root.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o711])
        // createDirectory's mode is filtered by the umask; this one is meant exactly.
        chmod(url.path, 0o711)
        return url
    }

    /// The pid that created a run directory, from its name.
    static func ownerPID(of name: String) -> Int32? {
        guard name.hasPrefix(prefix) else { return nil }
        return name.dropFirst(prefix.count).split(separator: "-").first.flatMap { Int32($0) }
    }

    /// Whether the process that created the run directory still runs: same pid and, when recorded, same start time.
    static func isOwnerAlive(_ name: String) -> Bool {
        guard let pid = ownerPID(of: name) else { return false }
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        let parts = name.dropFirst(prefix.count).split(separator: "-")
        guard parts.count >= 3, let recorded = UInt64(parts[1]), recorded != 0 else { return true }
        return startTime(of: pid) == recorded
    }

    /// Field 22 of /proc/PID/stat: clock ticks since boot when the process started.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}

/// Startup cleanup of what a crashed run left under the work root: database servers recorded in pid files
/// (through the server engines' `SandboxCleanup`) and run directories whose owning process is gone.
public struct SandboxJanitor: Sendable {
    public let root: URL
    let logger: Logger

    public init(root: URL, logger: Logger) {
        self.root = root
        self.logger = logger
    }

    /// Returns the run directories it removed. Directories of live processes (a concurrent `verify`) stay.
    @discardableResult
    public func sweep() async -> [URL] {
        await SandboxCleanup.cleanUpLeftovers(under: root, logger: logger)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        var removed: [URL] = []
        for name in names {
            guard RunDirectory.ownerPID(of: name) != nil, !RunDirectory.isOwnerAlive(name) else { continue }
            let url = root.appendingPathComponent(name, isDirectory: true)
            do {
                try FileManager.default.removeItem(at: url)
                removed.append(url)
                logger.info("removed stale verification directory", metadata: ["path": "\(url.path)"])
            } catch {
                logger.warning("cannot remove stale verification directory", metadata: ["path": "\(url.path)", "error": "\(error)"])
            }
        }
        return removed
    }
}
