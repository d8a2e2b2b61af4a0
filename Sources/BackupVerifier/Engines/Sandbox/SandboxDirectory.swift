import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The private directory of one sandbox (data dir, socket, pid files), with a marker naming the BackupFeed
/// process that owns it, so `SandboxCleanup` can tell a crashed run's leftovers from a live run.
struct SandboxDirectory: Sendable {
    static let markerName = ".backupfeed-sandbox"
    /// Unix socket paths are limited to 108 bytes; keep room for the socket file name.
    static let maxSocketDirectoryLength = 80

    /// What the marker records.
    struct Marker: Codable {
        var ownerPID: Int32
        var ownerStartTime: UInt64
        /// Directories outside `url` that belong to this sandbox (a short socket directory).
        var extraDirectories: [String]
    }

    let url: URL
    /// Where the server puts its socket: `url` itself, or a short directory in /tmp when `url` is too long.
    let socketDirectory: URL
    let user: SandboxUser?
    let isolation: ProcessIsolation
    let limits: ResourceLimits

    /// The confinement of every program that works in this sandbox: it may write here and nowhere else.
    var confinement: ProcessConfinement {
        ProcessConfinement(
            isolation: isolation, writable: socketDirectory == url ? [url.path] : [url.path, socketDirectory.path], limits: limits)
    }

    /// Creates `<workDirectory>/<engine>-<random>`, owned by the sandbox user, mode 0700.
    static func create(
        in workDirectory: URL, engine: String, user: SandboxUser?, isolation: ProcessIsolation = .unconfined(reason: "not requested"),
        limits: ResourceLimits = ResourceLimits()
    ) throws -> SandboxDirectory {
        let id = UUID().uuidString.prefix(8).lowercased()
        let url = workDirectory.appendingPathComponent("\(engine)-\(id)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EngineError.internalFailure("cannot create sandbox directory \(url.path): \(error.localizedDescription)")
        }
        var extra: [String] = []
        var socketDirectory = url
        if url.path.utf8.count > maxSocketDirectoryLength {
            socketDirectory = URL(fileURLWithPath: "/tmp/backupfeed-sock-\(id)", isDirectory: true)
            try? FileManager.default.createDirectory(at: socketDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            extra.append(socketDirectory.path)
        }
        let directory = SandboxDirectory(url: url, socketDirectory: socketDirectory, user: user, isolation: isolation, limits: limits)
        do {
            // The marker goes in before anything can start, so a crash at any later point is cleaned up.
            try writeMarker(in: url, extraDirectories: extra)
            try SandboxFiles.chown(url.path, to: user)
            if socketDirectory != url { try SandboxFiles.chown(socketDirectory.path, to: user) }
            try SandboxFiles.checkSearchable(url, by: user)
        } catch {
            directory.remove()
            throw error
        }
        return directory
    }

    /// Marks `directory` as owned by this process, for `SandboxCleanup` (template builds use it too).
    static func writeMarker(in directory: URL, extraDirectories: [String] = []) throws {
        let marker = Marker(ownerPID: getpid(), ownerStartTime: processStartTime(getpid()) ?? 0, extraDirectories: extraDirectories)
        try JSONEncoder().encode(marker).write(to: directory.appendingPathComponent(markerName))
    }

    /// Unmarks a directory that must outlive this process (a finished template).
    static func removeMarker(in directory: URL) {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(markerName))
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Removes the directory and its extra directories; the server must be stopped first.
    func remove() {
        try? FileManager.default.removeItem(at: url)
        if socketDirectory != url { try? FileManager.default.removeItem(at: socketDirectory) }
    }
}

/// The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat): with the pid it
/// identifies a process even after the pid has been reused.
func processStartTime(_ pid: Int32) -> UInt64? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    // Fields after the command name start at field 3 (state); starttime is field 22.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 19 else { return nil }
    return UInt64(fields[19])
}
