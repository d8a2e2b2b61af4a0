import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps engine templates out of reach of the runs made from them. A finished template is given to the
/// server's own account (when that is root, the sandbox account loses all rights on it) and made read-only,
/// and a manifest of every file's size, mode, owner and modification time is written beside its data. Before
/// each use the manifest is checked: a template changed since it was built (by a run of an older version that
/// could still write it, or by anything else) is discarded and rebuilt, never copied into a run.
enum TemplateSeal {
    static let manifestName = ".backupfeed-template-manifest"

    struct Entry: Codable, Equatable {
        var path: String
        var size: Int64
        var mode: UInt32
        var uid: UInt32
        var modified: Int64
    }

    /// Chowns (when root) and write-protects `template`, then records its manifest.
    static func seal(_ template: URL) throws {
        if geteuid() == 0 {
            try walk(template) { path, _ in _ = lchown(path, getuid(), getgid()) }
            _ = lchown(template.path, getuid(), getgid())
        }
        try walk(template) { path, info in
            if info.st_mode & S_IFMT != S_IFLNK { _ = chmod(path, info.st_mode & 0o7755) }
        }
        let entries = try manifest(of: template)
        try JSONEncoder().encode(entries).write(to: template.appendingPathComponent(manifestName))
        _ = chmod(template.appendingPathComponent(manifestName).path, 0o644)
    }

    /// Nil when `template` matches its manifest; otherwise what differs, for the log.
    static func check(_ template: URL) -> String? {
        guard let data = try? Data(contentsOf: template.appendingPathComponent(manifestName)),
              let recorded = try? JSONDecoder().decode([Entry].self, from: data) else { return "no manifest" }
        guard let current = try? manifest(of: template) else { return "cannot read the template" }
        if current == recorded { return nil }
        let before = Dictionary(recorded.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let changed = current.first { before[$0.path] != $0 }?.path ?? recorded.first { entry in !current.contains(entry) }?.path
        return "changed since it was built: \(changed ?? "?")"
    }

    private static func manifest(of template: URL) throws -> [Entry] {
        var entries: [Entry] = []
        try walk(template) { path, info in
            let relative = String(path.dropFirst(template.path.count))
            guard relative != "/" + manifestName else { return }
            entries.append(Entry(
                path: relative, size: Int64(info.st_size), mode: info.st_mode, uid: info.st_uid,
                modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)))
        }
        return entries.sorted { $0.path < $1.path }
    }

    /// Calls `body` for every entry below `root` (not following symbolic links), with its lstat.
    private static func walk(_ root: URL, _ body: (String, stat) throws -> Void) throws {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else {
            throw EngineError.internalFailure("cannot read the template \(root.path)")
        }
        while let relative = enumerator.nextObject() as? String {
            let path = root.path + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            try body(path, info)
        }
    }
}
