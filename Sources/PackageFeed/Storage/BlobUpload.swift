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

    /// Hashes and appends one chunk of the body.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if head.count < 16 { head += bytes.prefix(16 - head.count) }
        sha256.update(bufferPointer: bytes)
        sha1.update(bufferPointer: bytes)
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageError.io("write failed: \(errnoText())")
            }
            offset += written
        }
        size += Int64(bytes.count)
    }

    /// Flushes the file to disk and returns its digest; the file stays at `temporaryURL` until committed.
    func finish() throws -> BlobDigest {
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
    /// `.zip`, `.gz`, `.dump` (pg_dump custom), `.sqlite` or `.sql`, judged by the first bytes.
    public var sniffedExtension: String {
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return ".zip" }
        if head.starts(with: [0x1F, 0x8B]) { return ".gz" }
        if head.starts(with: Array("PGDMP".utf8)) { return ".dump" }
        if head.starts(with: Array("SQLite format 3".utf8)) { return ".sqlite" }
        return ".sql"
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }
