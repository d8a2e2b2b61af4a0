import Crypto
import Foundation

/// The integrity pass: one read of the stored file (SHA-256), then of every archive entry to its end (CRC,
/// expanded-size limit), feeding the dump entry's bytes to the scanner on the way so nothing is read twice
/// before the restore.
struct IntegrityStage {
    struct Result {
        var sha256: String
        var isZip: Bool
        /// The located dump entry, or why none could be picked (a `detect` failure, not an integrity one).
        var entry: ZipEntry?
        var locateFailure: String?
        var entryCount = 0
        var expandedBytes: Int64 = 0
        var scan: DumpScanner
    }

    let file: URL
    let limits: ArchiveLimits
    let dumpName: String?
    let assumedFormat: DumpFormat?

    func run(deadline: ContinuousClock.Instant) async throws -> Result {
        let isZip = FileChunks.isZip(try FileChunks.head(file, count: 4))
        var hasher = SHA256()
        var scan = DumpScanner(assumed: assumedFormat)
        try await FileChunks.read(file) { chunk in
            hasher.update(bufferPointer: chunk)
            // A bare dump is scanned in the same pass as the hash.
            if !isZip { scan.feed(chunk) }
            try Self.checkDeadline(deadline)
        }
        let sha = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        guard isZip else {
            scan.finish()
            return Result(sha256: sha, isZip: false, scan: scan)
        }
        let zip = try ZipArchive(url: file, maxEntries: limits.maxEntries)
        try zip.checkDeclaredLimits(limits)
        var result = Result(sha256: sha, isZip: true, scan: scan)
        result.entryCount = zip.entries.count
        switch DumpLocator.locate(in: zip.entries, named: dumpName) {
        case .found(let entry): result.entry = entry
        case .failed(let reason): result.locateFailure = reason
        }
        var budget = limits.maxExpandedBytes
        for entry in zip.entries where !entry.isDirectory {
            let isDump = entry.index == result.entry?.index
            try await zip.read(entry, budget: &budget, limit: limits.maxExpandedBytes) { chunk in
                if isDump { scan.feed(chunk) }
                try Self.checkDeadline(deadline)
            }
        }
        scan.finish()
        result.scan = scan
        result.expandedBytes = limits.maxExpandedBytes - budget
        return result
    }

    static func checkDeadline(_ deadline: ContinuousClock.Instant) throws {
        if ContinuousClock.now >= deadline { throw EngineError.timedOut("reading the archive did not finish before the deadline") }
    }
}
