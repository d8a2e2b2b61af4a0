import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Initialised, empty data directories (`mariadb-install-db`, `initdb`) made once and copied per run:
/// copying takes a tenth of a second where initialising takes seconds.
///
/// Concurrent first use in this process waits on one build (the actor); across processes the build goes into
/// a private temporary directory that is renamed into place, so readers never see a half-built template and
/// two builders never collide (the loser discards its copy).
actor SandboxTemplateCache {
    static let shared = SandboxTemplateCache()
    /// Present in a template once it is complete.
    static let completeMarker = ".backupfeed-template-complete"

    private var builds: [String: Task<URL, any Error>] = [:]
    /// Templates thrown away because they changed after they were built, for the log and tests.
    private(set) var discarded: [String] = []

    /// The template directory `<root>/<key>`, building it with `build(tempDirectory)` if absent.
    /// `build` must fill the directory it is given; a failed build leaves nothing behind.
    func template(
        root: URL, key: String, user: SandboxUser?, build: @escaping @Sendable (URL) async throws -> Void
    ) async throws -> URL {
        let final = root.appendingPathComponent(key, isDirectory: true)
        if let running = builds[final.path] { return try await running.value }
        if Self.isComplete(final) {
            guard let problem = TemplateSeal.check(final) else { return final }
            // Never copy a template that something changed: move it aside and build a fresh one.
            let aside = root.appendingPathComponent(".\(key).discarded-\(UUID().uuidString.prefix(8))", isDirectory: true)
            try? FileManager.default.moveItem(at: final, to: aside)
            try? FileManager.default.removeItem(at: aside)
            discarded.append("\(key): \(problem)")
        }
        let task = Task<URL, any Error> {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            Self.removeAbandonedBuilds(in: root, key: key)
            // The builder's pid and start time are in the name, so that a build killed before it could write its crash
            // marker is still recognised as abandoned.
            let owner = "\(getpid())-\(RunDirectory.startTime(of: getpid()) ?? 0)"
            let temp = root.appendingPathComponent(".\(key).building-\(owner)-\(UUID().uuidString.prefix(8))", isDirectory: true)
            try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            do {
                try SandboxFiles.chown(temp.path, to: user)
                try SandboxFiles.checkSearchable(temp, by: user)
                try await build(temp)
                _ = FileManager.default.createFile(atPath: temp.appendingPathComponent(Self.completeMarker).path, contents: Data())
                SandboxDirectory.removeMarker(in: temp)
                try TemplateSeal.seal(temp)
                try? FileManager.default.removeItem(at: final.appendingPathExtension("stale"))
                if FileManager.default.fileExists(atPath: final.path), !Self.isComplete(final) {
                    // A half-built template from before the atomic rename existed; move it out of the way.
                    try? FileManager.default.moveItem(at: final, to: final.appendingPathExtension("stale"))
                }
                do {
                    try FileManager.default.moveItem(at: temp, to: final)
                } catch where Self.isComplete(final) {
                    // Another process finished first: use its template.
                    try? FileManager.default.removeItem(at: temp)
                }
                Self.removeAbandonedBuilds(in: root, key: key)
                return final
            } catch {
                try? FileManager.default.removeItem(at: temp)
                throw error
            }
        }
        builds[final.path] = task
        defer { builds[final.path] = nil }
        return try await task.value
    }

    /// Removes `.building-*` directories of `key` whose builder is gone and that carry no crash marker: a build killed
    /// between creating its directory and writing the marker (those with a marker are `SandboxCleanup`'s, which
    /// also stops the processes working in them).
    static func removeAbandonedBuilds(in root: URL, key: String) {
        let prefix = ".\(key).building-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] where name.hasPrefix(prefix) {
            let directory = root.appendingPathComponent(name, isDirectory: true)
            guard !FileManager.default.fileExists(atPath: directory.appendingPathComponent(SandboxDirectory.markerName).path),
                  !isBuilderAlive(name.dropFirst(prefix.count)) else { continue }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// `<pid>-<start time>-<random>`; a name without an owner (from before owners were recorded) counts as alive.
    private static func isBuilderAlive(_ suffix: Substring) -> Bool {
        let parts = suffix.split(separator: "-")
        guard parts.count == 3, let pid = Int32(parts[0]), let started = UInt64(parts[1]) else { return true }
        return RunDirectory.startTime(of: pid) == started
    }

    static func isComplete(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(completeMarker).path)
    }
}
