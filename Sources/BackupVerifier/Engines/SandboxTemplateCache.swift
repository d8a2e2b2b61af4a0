import Foundation

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

    /// The template directory `<root>/<key>`, building it with `build(tempDirectory)` if absent.
    /// `build` must fill the directory it is given; a failed build leaves nothing behind.
    func template(
        root: URL, key: String, user: SandboxUser?, build: @escaping @Sendable (URL) async throws -> Void
    ) async throws -> URL {
        let final = root.appendingPathComponent(key, isDirectory: true)
        if let running = builds[final.path] { return try await running.value }
        if Self.isComplete(final) { return final }
        let task = Task<URL, any Error> {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let temp = root.appendingPathComponent(".\(key).building-\(UUID().uuidString.prefix(8))", isDirectory: true)
            try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            do {
                try SandboxFiles.chown(temp.path, to: user)
                try SandboxFiles.checkSearchable(temp, by: user)
                try await build(temp)
                _ = FileManager.default.createFile(atPath: temp.appendingPathComponent(Self.completeMarker).path, contents: Data())
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

    static func isComplete(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(completeMarker).path)
    }
}
