import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Watches a run's directory while its database works: a dump can make a server write without end (a huge
/// table, a runaway temp file). Past the run's byte limit, or when the filesystem's free space drops below the
/// floor, the run ends with `error` naming the limit, and its sandbox is removed like any other.
struct SandboxDiskWatch: Sendable {
    let directory: URL
    let maxBytes: UInt64
    let freeSpaceFloor: UInt64
    var interval: Duration = .milliseconds(500)

    /// Returns only by throwing: `EngineError.internalFailure` at a limit, `CancellationError` when the run ends.
    func watch() async throws {
        while true {
            try await Task.sleep(for: interval)
            if let reason = check() { throw EngineError.internalFailure(reason) }
        }
    }

    /// Why the run must stop now, or nil.
    func check() -> String? {
        let used = Self.allocatedBytes(under: directory)
        if used > maxBytes {
            return "the sandbox grew past its disk limit (\(ByteCount.text(used)) > \(ByteCount.text(maxBytes)), policy maxSandboxBytes); the restore was stopped"
        }
        var info = statvfs()
        if statvfs(directory.path, &info) == 0 {
            let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
            if free < freeSpaceFloor {
                return "the sandbox's filesystem fell below its free-space floor (\(ByteCount.text(free)) free < \(ByteCount.text(freeSpaceFloor))); the restore was stopped"
            }
        }
        return nil
    }

    /// Bytes on disk (allocated blocks, so sparse files count for what they really take).
    static func allocatedBytes(under directory: URL) -> UInt64 {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return 0 }
        var total: UInt64 = 0
        while let relative = enumerator.nextObject() as? String {
            var info = stat()
            if lstat(directory.path + "/" + relative, &info) == 0 { total += UInt64(info.st_blocks) * 512 }
        }
        return total
    }
}

/// Human-readable byte counts for reasons.
enum ByteCount {
    static func text(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
