import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Removes what a crashed BackupFeed left behind: database servers recorded in pid files and their sandbox
/// directories. Call it at startup, before any verification runs.
public enum SandboxCleanup {
    /// What `cleanUpLeftovers` did.
    public struct Summary: Sendable, Equatable {
        public var killedProcesses: [Int32] = []
        public var removedDirectories: [String] = []
    }

    /// Finds sandbox directories (up to three levels below `root`) whose owning BackupFeed process is gone,
    /// kills the servers recorded in their pid files (only when the pid still runs a database server from that
    /// very directory, so a reused pid is never hit) and removes the directories. Sandboxes of live
    /// BackupFeed processes (a concurrent `backupfeed verify`, or this process) are left alone.
    @discardableResult
    public static func cleanUpLeftovers(under root: URL, logger: Logger = Logger(label: "backupfeed.sandbox")) async -> Summary {
        var summary = Summary()
        for sandbox in markedDirectories(under: root.standardizedFileURL, depth: 3) {
            guard let data = try? Data(contentsOf: sandbox.appendingPathComponent(SandboxDirectory.markerName)),
                  let marker = try? JSONDecoder().decode(SandboxDirectory.Marker.self, from: data) else { continue }
            if processStartTime(marker.ownerPID) == marker.ownerStartTime { continue }
            // Recorded servers, plus any process still working in the directory without a pid file: the
            // `mariadb-install-db` or `initdb` of a template build killed half-way would otherwise go on and
            // recreate the directory after it was removed.
            // Recorded pids first: the recorded one is the sandbox's outermost process, and killing it ends every
            // process in the sandbox's PID namespace; the scan then finds nothing more.
            var seen = Set<Int32>()
            let pids = (recordedPIDs(in: sandbox) + unrecordedProcesses(in: sandbox)).filter { seen.insert($0).inserted }
            for pid in pids where worksIn(pid, sandbox) {
                await killGroup(of: pid)
                summary.killedProcesses.append(pid)
                logger.warning("killed leftover database server", metadata: ["pid": "\(pid)", "sandbox": "\(sandbox.path)"])
            }
            for extra in marker.extraDirectories where extra.hasPrefix("/tmp/backupfeed-sock-") {
                try? FileManager.default.removeItem(atPath: extra)
            }
            try? FileManager.default.removeItem(at: sandbox)
            summary.removedDirectories.append(sandbox.path)
            logger.info("removed stale sandbox directory", metadata: ["sandbox": "\(sandbox.path)"])
            removeEmptyParents(of: sandbox, upTo: root.standardizedFileURL)
        }
        return summary
    }

    private static func markedDirectories(under directory: URL, depth: Int) -> [URL] {
        guard depth > 0, let children = try? FileManager.default.contentsOfDirectory(
            at: directory, includingPropertiesForKeys: [.isDirectoryKey, .isSymbolicLinkKey]) else { return [] }
        var found: [URL] = []
        for child in children {
            let values = try? child.resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey])
            guard values?.isDirectory == true, values?.isSymbolicLink != true else { continue }
            if FileManager.default.fileExists(atPath: child.appendingPathComponent(SandboxDirectory.markerName).path) {
                found.append(child)
            } else {
                found += markedDirectories(under: child, depth: depth - 1)
            }
        }
        return found
    }

    /// Pids from our own pid file, the server's (`*.pid` in the sandbox) and PostgreSQL's postmaster.pid.
    private static func recordedPIDs(in sandbox: URL) -> [Int32] {
        var files = ((try? FileManager.default.contentsOfDirectory(atPath: sandbox.path)) ?? [])
            .filter { $0.hasSuffix(".pid") }.map { sandbox.appendingPathComponent($0).path }
        files.append(sandbox.appendingPathComponent("data/postmaster.pid").path)
        var pids: [Int32] = []
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                  let first = text.split(whereSeparator: \.isNewline).first,
                  let pid = Int32(first.trimmingCharacters(in: .whitespaces)), pid > 1, !pids.contains(pid) else { continue }
            pids.append(pid)
        }
        return pids
    }

    /// Processes whose arguments point into `sandbox`, found by scanning /proc.
    private static func unrecordedProcesses(in sandbox: URL) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [])
            .compactMap(Int32.init)
            .filter { worksIn($0, sandbox) }
    }

    /// True when `pid` (not this process) has an argument pointing into `sandbox`. Sandbox paths end in a random
    /// suffix, so a match is one of ours even when the pid in a pid file was reused by something else.
    static func worksIn(_ pid: Int32, _ sandbox: URL) -> Bool {
        guard pid != getpid(), pid > 1, let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let prefix = sandbox.path.hasSuffix("/") ? sandbox.path : sandbox.path + "/"
        return raw.split(separator: 0).contains { argument in
            let text = String(decoding: argument, as: UTF8.self)
            return text.contains(prefix) || text.hasSuffix(sandbox.path)
        }
    }

    /// Stops the server's process group: SIGQUIT first (PostgreSQL's immediate shutdown, which also frees its
    /// shared memory; MariaDB dies of it too), SIGKILL when it is still there after two seconds.
    private static func killGroup(of pid: Int32) async {
        let target = getpgid(pid) == pid ? -pid : pid
        _ = kill(target, SIGQUIT)
        for _ in 0..<40 where isAlive(pid) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if isAlive(pid) { _ = kill(target, SIGKILL) }
        for _ in 0..<40 where isAlive(pid) {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Running and not a zombie.
    private static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    private static func removeEmptyParents(of directory: URL, upTo root: URL) {
        var parent = directory.deletingLastPathComponent().standardizedFileURL
        while parent.path.count > root.path.count, parent.path.hasPrefix(root.path) {
            guard (try? FileManager.default.contentsOfDirectory(atPath: parent.path))?.isEmpty == true else { return }
            try? FileManager.default.removeItem(at: parent)
            parent = parent.deletingLastPathComponent().standardizedFileURL
        }
    }
}
