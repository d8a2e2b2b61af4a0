/// What the locator needs of an archive member: a zip entry, or a stream found by peeling layers.
protocol LocatableEntry {
    var name: String { get }
    var isDirectory: Bool { get }
}

extension ZipEntry: LocatableEntry {}

/// Picks the archive entry that holds the dump: the one the policy names, else the single dump-like entry.
enum DumpLocator {
    enum Outcome<Entry> {
        case found(Entry)
        case failed(String)
    }

    static func locate<Entry: LocatableEntry>(in entries: [Entry], named wanted: String?) -> Outcome<Entry> {
        let files = entries.filter { !$0.isDirectory }
        if let wanted {
            if let entry = files.first(where: { $0.name == wanted }) { return .found(entry) }
            return .failed("the policy names dump entry \(wanted), but the archive holds \(list(files))")
        }
        let candidates = SQLiteSidecarFiles.withoutCompanions(files.filter { !isClutter($0.name) })
        if candidates.count == 1 { return .found(candidates[0]) }
        if candidates.isEmpty {
            return .failed(files.isEmpty ? "the archive is empty" : "no dump-like entry in the archive (it holds \(list(files)))")
        }
        let byExtension = candidates.filter { hasDumpExtension($0.name) }
        if byExtension.count == 1 { return .found(byExtension[0]) }
        if byExtension.isEmpty, let notABackup = NotABackup.describeArchive(entryNames: files.map(\.name)) { return .failed(notABackup) }
        return .failed(
            "\(candidates.count) entries could be the dump: \(list(candidates)); name one in the policy's \"dump\" field")
    }

    /// Files that travel with dumps but never are one: macOS resource forks, notes, checksums.
    static func isClutter(_ name: String) -> Bool {
        let lower = name.lowercased()
        let base = lower.split(separator: "/").last.map(String.init) ?? lower
        if lower.hasPrefix("__macosx/") || base.hasPrefix("._") || base == ".ds_store" { return true }
        if base.hasPrefix("readme") || base.hasPrefix("license") || base.hasPrefix("changelog") { return true }
        let noteExtensions = [".txt", ".md", ".json", ".log", ".sha256", ".sha1", ".md5", ".sig", ".asc", ".xml", ".yml", ".yaml"]
        return noteExtensions.contains { base.hasSuffix($0) }
    }

    /// Dump names, also compressed ("db.sql.gz", "backup.dump.zst").
    static func hasDumpExtension(_ name: String) -> Bool {
        var lower = name.lowercased()
        for suffix in [".gz", ".zst", ".xz", ".bz2", ".lz4"] where lower.hasSuffix(suffix) {
            lower.removeLast(suffix.count)
            break
        }
        return [".sql", ".dump", ".sqlite", ".sqlite3", ".db", ".pgdump", ".backup"].contains { lower.hasSuffix($0) }
    }

    private static func list(_ entries: [some LocatableEntry]) -> String {
        let names = entries.prefix(10).map(\.name).joined(separator: ", ")
        return entries.count > 10 ? "\(names), … (\(entries.count) in all)" : names
    }
}

extension DumpLocator.Outcome: Equatable where Entry: Equatable {}
