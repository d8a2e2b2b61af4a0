import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Refuses an upload that would leave the data directory's filesystem with less than `floor` bytes free
/// (`--min-free-space`). A full disk breaks more than the upload: SQLite cannot write its WAL, so pushes, key use and
/// verification results all fail, and the temp file of the upload that filled it is what is left. The floor keeps
/// room for the catalog and for the operator to act.
///
/// Checked before the body is read (with its `Content-Length` when given) and again every `checkInterval` bytes while
/// it streams, since a chunked body announces no size and other writers share the disk.
struct FreeSpaceGuard: Sendable {
    let directory: URL
    /// 0 turns the guard off.
    let floor: Int64
    /// Bytes available to this user on the filesystem of a directory; nil when it cannot be told, and then nothing is
    /// refused (a guard that fails must not stop every upload). Tests replace it to simulate a filling disk.
    let probe: @Sendable (URL) -> Int64?

    static let checkInterval: Int64 = 8 * 1024 * 1024

    init(directory: URL, floor: Int64, probe: (@Sendable (URL) -> Int64?)? = nil) {
        self.directory = directory
        self.floor = floor
        self.probe = probe ?? Self.availableBytes
    }

    /// Throws when writing `incoming` more bytes would go below the floor.
    func check(incoming: Int64) throws {
        guard floor > 0, let available = probe(directory) else { return }
        if available - max(0, incoming) < floor {
            throw InsufficientStorageError(floor: floor, available: available)
        }
    }

    /// True when a body that has grown from `previous` to `current` bytes crossed a check point.
    static func isDue(previous: Int64, current: Int64) -> Bool {
        previous / checkInterval != current / checkInterval
    }

    static func availableBytes(_ directory: URL) -> Int64? {
        var stats = statvfs()
        guard statvfs(directory.path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }
}

/// An upload refused for lack of space: 507 Insufficient Storage, nothing stored.
struct InsufficientStorageError: Error, CustomStringConvertible {
    let floor: Int64
    let available: Int64

    var description: String {
        "not enough free space: the upload would leave the data directory's filesystem below its floor of "
            + "\(ByteCountFormatter.string(fromByteCount: floor, countStyle: .binary)) (--min-free-space); nothing was stored"
    }
}
