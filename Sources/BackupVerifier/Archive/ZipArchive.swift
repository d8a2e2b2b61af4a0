import CZip
import Foundation

/// One entry of a zip archive as its central directory declares it.
struct ZipEntry: Sendable, Equatable {
    var index: UInt64
    var name: String
    /// Uncompressed size as declared by the header (may lie; reads are counted separately).
    var size: Int64
    /// CRC-32 from the central directory, when it has one.
    var crc: UInt32? = nil
    /// Compressed size as declared (for the ratio limit), when the header gives one.
    var compressedSize: Int64? = nil
    var isDirectory: Bool { name.hasSuffix("/") }
}

/// A zip archive opened read-only through libzip with consistency checks on (ZIP_CHECKCONS).
/// Not Sendable: open one per task and let it close when it goes out of scope.
final class ZipArchive {
    let url: URL
    private let handle: OpaquePointer
    let entries: [ZipEntry]

    /// `maxEntries` refuses a central directory with too many entries before each one is stat'ed and kept.
    init(url: URL, maxEntries: Int = .max) throws(ArchiveError) {
        self.url = url
        var code: Int32 = 0
        guard let handle = zip_open(url.path, ZIP_CHECKCONS | ZIP_RDONLY, &code) else {
            throw .notOpenable(Self.message(forCode: code))
        }
        self.handle = handle
        let count = max(0, zip_get_num_entries(handle, 0))
        if count > maxEntries {
            zip_discard(handle)
            throw .tooManyEntries(count: Int(count), limit: maxEntries)
        }
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(min(count, 100_000)))
        for index in 0..<UInt64(count) {
            var st = zip_stat_t()
            zip_stat_init(&st)
            guard zip_stat_index(handle, index, 0, &st) == 0 else {
                let reason = String(cString: zip_error_strerror(zip_get_error(handle)))
                zip_discard(handle)
                throw .notOpenable("entry #\(index): \(reason)")
            }
            let name = st.name.map { String(cString: $0) } ?? "#\(index)"
            if st.valid & UInt64(ZIP_STAT_ENCRYPTION_METHOD) != 0, st.encryption_method != UInt16(ZIP_EM_NONE) {
                zip_discard(handle)
                throw .encrypted(entry: name)
            }
            let size = st.valid & UInt64(ZIP_STAT_SIZE) != 0 ? Int64(clamping: st.size) : 0
            let crc = st.valid & UInt64(ZIP_STAT_CRC) != 0 ? st.crc : nil
            let compressed = st.valid & UInt64(ZIP_STAT_COMP_SIZE) != 0 ? Int64(clamping: st.comp_size) : nil
            entries.append(ZipEntry(index: index, name: name, size: size, crc: crc, compressedSize: compressed))
        }
        self.entries = entries
    }

    deinit {
        // Read-only: discard never writes, unlike zip_close.
        zip_discard(handle)
    }

    /// Refuses the archive before anything is decompressed when its headers already exceed the limits.
    func checkDeclaredLimits(_ limits: ArchiveLimits) throws(ArchiveError) {
        if entries.count > limits.maxEntries {
            throw .tooManyEntries(count: entries.count, limit: limits.maxEntries)
        }
        var total: Int64 = 0
        for entry in entries {
            total = total.addingReportingOverflow(entry.size).overflow ? .max : total + entry.size
            if total > limits.maxExpandedBytes { throw .tooLarge(bytes: total, limit: limits.maxExpandedBytes) }
            if let compressed = entry.compressedSize, entry.size > limits.ratioCheckAfterBytes,
               entry.size / max(compressed, 1) > limits.maxRatio {
                throw .ratioTooHigh(layer: "zip entry \(entry.name)", ratio: entry.size / max(compressed, 1), limit: limits.maxRatio)
            }
        }
    }

    /// Reads one entry to its end in chunks, so libzip verifies its CRC (reported only once the end is reached).
    /// `budget` is the number of expanded bytes still allowed; it is decremented by what is actually read.
    func read(
        _ entry: ZipEntry, chunkSize: Int = 256 * 1024, budget: inout Int64, limit: Int64,
        _ consume: (UnsafeRawBufferPointer) async throws -> Void
    ) async throws {
        guard let file = zip_fopen_index(handle, entry.index, 0) else {
            throw ArchiveError.damagedEntry(entry: entry.name, reason: String(cString: zip_error_strerror(zip_get_error(handle))))
        }
        defer { zip_fclose(file) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var crc = CRC32()
        var total: Int64 = 0
        while true {
            let n = zip_fread(file, buffer.baseAddress, UInt64(chunkSize))
            if n < 0 {
                let error = zip_file_get_error(file)
                if zip_error_code_zip(error) == ZIP_ER_CRC { throw ArchiveError.crcMismatch(entry: entry.name) }
                throw ArchiveError.damagedEntry(entry: entry.name, reason: String(cString: zip_error_strerror(error)))
            }
            if n == 0 {
                if total != entry.size {
                    throw ArchiveError.damagedEntry(entry: entry.name, reason: "holds \(total) bytes, its header says \(entry.size)")
                }
                if let expected = entry.crc, crc.value != expected { throw ArchiveError.crcMismatch(entry: entry.name) }
                return
            }
            total += n
            crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)]))
            budget -= n
            // The header's size may lie: count what really comes out.
            if budget < 0 { throw ArchiveError.tooLarge(bytes: limit - budget, limit: limit) }
            try Task.checkCancellation()
            try await consume(UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)]))
        }
    }

    private static func message(forCode code: Int32) -> String {
        var error = zip_error_t()
        zip_error_init_with_code(&error, code)
        defer { zip_error_fini(&error) }
        return String(cString: zip_error_strerror(&error))
    }
}
