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
        let name = "\(prefix)\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
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
            guard let pid = RunDirectory.ownerPID(of: name) else { continue }
            if pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { continue }
            if pid == getpid() { continue }
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
