/// The files SQLite keeps beside a database in WAL mode: `X-wal` (the write-ahead log: committed transactions
/// not yet copied into `X`) and `X-shm` (the shared-memory index of that log, rebuilt from it on open). Known by
/// content, so a renamed one is still named for what it is; paired by name inside an archive.
enum SQLiteSidecarFiles {
    static let walSuffix = "-wal"
    static let shmSuffix = "-shm"

    /// What a sidecar file is and why it cannot be restored alone, or nil when `head` is not one.
    static func describe(head: [UInt8]) -> String? {
        if isWAL(head) {
            return "a SQLite write-ahead log (-wal) without its database: push the database file and its -wal together (zip both)"
        }
        if isSharedMemoryIndex(head) {
            return "a SQLite shared-memory index (-shm), not a database: it holds no data; push the database file (and its -wal, if any)"
        }
        return nil
    }

    /// WAL header: magic 0x377f0682 or 0x377f0683 (big-endian), then file format version 3007000.
    static func isWAL(_ head: [UInt8]) -> Bool {
        guard head.count >= 32 else { return false }
        let magic = bigEndian(head, at: 0)
        return (magic == 0x377F_0682 || magic == 0x377F_0683) && bigEndian(head, at: 4) == 3_007_000
    }

    /// wal-index header: two identical 48-byte copies, each starting with version 3007000 in the writer's
    /// native byte order and an "initialised" flag at offset 12.
    static func isSharedMemoryIndex(_ head: [UInt8]) -> Bool {
        guard head.count >= 136 else { return false }
        let version = bigEndian(head, at: 0)
        let littleEndian = version.byteSwapped
        guard version == 3_007_000 || littleEndian == 3_007_000 else { return false }
        return head[12] == 1 && head[0..<48] == head[48..<96]
    }

    /// Frames in a WAL of `size` bytes whose header is `head` (for the report).
    static func frameCount(head: [UInt8], size: Int64) -> Int64? {
        guard isWAL(head) else { return nil }
        let pageSize = Int64(bigEndian(head, at: 8))
        guard pageSize >= 512, size >= 32 else { return nil }
        return (size - 32) / (24 + pageSize)
    }

    /// Drops the `-wal`, `-shm` and `-journal` entries of a database that is in the same list: they are part of
    /// that database, not other dumps. A `-shm` beside its `-wal` goes too (it is rebuilt from the log).
    static func withoutCompanions<Entry: LocatableEntry>(_ entries: [Entry]) -> [Entry] {
        let names = Set(entries.map(\.name))
        return entries.filter { entry in
            for suffix in [walSuffix, shmSuffix, "-journal"] where entry.name.hasSuffix(suffix) {
                let base = String(entry.name.dropLast(suffix.count))
                if names.contains(base) { return false }
                if suffix == shmSuffix, names.contains(base + walSuffix) { return false }
            }
            return true
        }
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
