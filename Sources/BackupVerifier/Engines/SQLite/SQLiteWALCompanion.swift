import Foundation

/// A dump source that may have a SQLite write-ahead log beside it (`app.db` and `app.db-wal` zipped together).
protocol SQLiteWALCompanion {
    /// Streams the `-wal` entry that belongs to this database file, if there is one; returns its name.
    func streamWAL(_ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws -> String?
}

extension ZipEntrySource: SQLiteWALCompanion {
    func streamWAL(_ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws -> String? {
        let zip = try ZipArchive(url: archive, maxEntries: limits.maxEntries)
        guard let wal = zip.entries.first(where: { $0.name == name + SQLiteSidecarFiles.walSuffix }) else { return nil }
        var budget = limits.maxExpandedBytes
        try await zip.read(wal, budget: &budget, limit: limits.maxExpandedBytes, consume)
        return wal.name
    }
}
