import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One upload in progress: a temp file written and hashed (SHA-256 and SHA-1) as the body streams in,
/// so memory stays flat whatever the size. Deleted on `discard()` or when abandoned.
public final class BlobUpload: @unchecked Sendable {
    // @unchecked: used by one request task at a time; the store never shares an upload.
    public let temporaryURL: URL
    private var descriptor: Int32
    private var sha256 = SHA256()
    private var sha1 = Insecure.SHA1()
    public private(set) var size: Int64 = 0
    /// The first bytes, to name a file pushed without a filename by its content.
    public private(set) var head: [UInt8] = []
    private var finished = false

    init(temporaryURL: URL) throws {
        self.temporaryURL = temporaryURL
        descriptor = open(temporaryURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw StorageError.io("cannot create \(temporaryURL.lastPathComponent): \(errnoText())") }
    }

    deinit {
        if !finished { discard() }
    }

    /// Bytes gathered before hashing and writing: a network chunk is 64 KiB at most, and per-chunk costs
    /// (two hash calls, a syscall, a thread hand-off) add up over a 1 GiB upload.
    static let batchSize = 1 << 20
    private var pending: [UInt8] = []

    /// Hashes and appends one chunk of the body.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if head.count < 16 { head += bytes.prefix(16 - head.count) }
        if pending.capacity < Self.batchSize { pending.reserveCapacity(Self.batchSize) }
        pending.append(contentsOf: bytes)
        size += Int64(bytes.count)
        if pending.count >= Self.batchSize { try flushPending() }
    }

    private func flushPending() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { try hashAndWrite($0) }
        pending.removeAll(keepingCapacity: true)
    }

    /// SHA-256, SHA-1 and the write run at the same time on separate threads: the two hashes are most of
    /// an upload's CPU time, and done one after the other they were the upload's critical path.
    private func hashAndWrite(_ bytes: UnsafeRawBufferPointer) throws {
        var writeError: Int32 = 0
        let descriptor = self.descriptor
        withUnsafeMutablePointer(to: &sha256) { sha256 in
            withUnsafeMutablePointer(to: &sha1) { sha1 in
                withUnsafeMutablePointer(to: &writeError) { writeError in
                    // Each part touches only its own state; all three end before these pointers go out of scope.
                    nonisolated(unsafe) let (input, sha256, sha1, writeError) = (bytes, sha256, sha1, writeError)
                    DispatchQueue.concurrentPerform(iterations: 3) { part in
                        switch part {
                        case 0: sha256.pointee.update(bufferPointer: input)
                        case 1: sha1.pointee.update(bufferPointer: input)
                        default: writeError.pointee = Self.writeFully(descriptor, input)
                        }
                    }
                }
            }
        }
        if writeError != 0 { throw StorageError.io("write failed: \(String(cString: strerror(writeError)))") }
    }

    /// Writes all of `bytes`; returns 0 or the errno that stopped it.
    private static func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }

    /// Flushes the file to disk and returns its digest; the file stays at `temporaryURL` until committed.
    func finish() throws -> BlobDigest {
        try flushPending()
        guard fsync(descriptor) == 0 else { throw StorageError.io("fsync failed: \(errnoText())") }
        close(descriptor)
        descriptor = -1
        finished = true
        return BlobDigest(sha256: Array(sha256.finalize()).hexString, sha1: Array(sha1.finalize()).hexString, size: size)
    }

    /// Throws the upload away; nothing of it is kept.
    public func discard() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        unlink(temporaryURL.path)
        finished = true
    }
}

extension BlobUpload {
    /// `.zip`, `.gz` (and the other compressors' extensions), `.dump` (pg_dump custom), `.sqlite` or `.sql`, judged by the first bytes.
    public var sniffedExtension: String {
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return ".zip" }
        if head.starts(with: [0x1F, 0x8B]) { return ".gz" }
        if head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return ".zst" }
        if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return ".xz" }
        if head.starts(with: Array("BZh".utf8)) { return ".bz2" }
        if head.starts(with: [0x04, 0x22, 0x4D, 0x18]) { return ".lz4" }
        if head.starts(with: Array("PGDMP".utf8)) { return ".dump" }
        if head.starts(with: Array("SQLite format 3".utf8)) { return ".sqlite" }
        return ".sql"
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }
