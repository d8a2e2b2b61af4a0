import Foundation

/// A dump source that may have a SQLite write-ahead log beside it (`app.db` and `app.db-wal` zipped together).
protocol SQLiteWALCompanion {
    /// Streams the `-wal` entry that belongs to this database file, if there is one; returns its name.
    func streamWAL(_ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws -> String?
}

/// Only for a database that is itself a zip entry: a log inside a tar or a compressed layer is not looked for.
extension LayeredDumpSource: SQLiteWALCompanion {
    func streamWAL(_ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws -> String? {
        guard route.count == 1, case .zipEntry? = route.first else { return nil }
        let zip = try ZipArchive(url: file, maxEntries: limits.maxEntries)
        guard let wal = zip.entries.first(where: { $0.name == name + SQLiteSidecarFiles.walSuffix }) else { return nil }
        var budget = limits.maxExpandedBytes
        try await zip.read(wal, budget: &budget, limit: limits.maxExpandedBytes, consume)
        return wal.name
    }
}
