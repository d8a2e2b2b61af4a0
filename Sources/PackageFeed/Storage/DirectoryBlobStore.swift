import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `ObjectBlobStore` over a directory (the embedded default's `DATA/blobs/sha256/ab/abcdef…`, or a shared
/// POSIX directory): `FileBlobStore` underneath, so both interfaces see the same blobs.
public struct DirectoryBlobStore: ObjectBlobStore {
    public let files: FileBlobStore
    /// Bytes read per chunk when streaming a blob.
    static let readChunkSize = 1 << 20

    public init(root: URL) throws {
        files = try FileBlobStore(root: root)
    }

    private var temporaryRoot: URL { files.root.appendingPathComponent("tmp", isDirectory: true) }

    public func beginWrite() async throws -> any BlobWriter {
        DirectoryBlobWriter(store: files, upload: try files.beginUpload())
    }

    public func read(sha256: String, range: ClosedRange<Int64>?) async throws -> BlobByteStream {
        guard let url = files.fileURL(sha256: sha256) else { throw BlobStoreError.notFound(sha256: sha256) }
        let file = try ReadOnlyFile(url: url)
        let size = file.size
        var start: Int64 = 0
        var end = size
        if let range {
            guard range.lowerBound >= 0, range.lowerBound < size else {
                throw BlobStoreError.invalidRange(sha256: sha256, range: range, size: size)
            }
            start = range.lowerBound
            end = min(size, range.upperBound + 1)
        }
        let cursor = ReadCursor(file: file, offset: start, end: end)
        return BlobByteStream(length: end - start) { try await cursor.next() }
    }

    public func size(sha256: String) async throws -> Int64? {
        guard let url = files.fileURL(sha256: sha256) else { return nil }
        return (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value
    }

    public func remove(sha256: String) async throws { try files.remove(sha256: sha256) }

    public func allBlobs() async throws -> [String] { try files.allBlobs() }

    public func unfinishedUploads() async throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: temporaryRoot.path).filter { $0.hasPrefix("upload-") }
    }

    public func discardUnfinishedUpload(_ uploadID: String) async throws {
        // Only names this store made: never a path from elsewhere.
        guard uploadID.hasPrefix("upload-"), !uploadID.contains("/") else { return }
        if unlink(temporaryRoot.appendingPathComponent(uploadID).path) != 0, errno != ENOENT {
            throw StorageError.io("cannot remove unfinished upload \(uploadID): \(errnoText())")
        }
    }
}

/// A write into the directory store: a `BlobUpload` (temp file, hashed as it is written) placed on commit.
final class DirectoryBlobWriter: BlobWriter, @unchecked Sendable {
    // @unchecked: one task writes at a time, as BlobWriter requires; BlobUpload is used the same way.
    let store: FileBlobStore
    let upload: BlobUpload
    var uploadID: String { upload.temporaryURL.lastPathComponent }

    init(store: FileBlobStore, upload: BlobUpload) {
        self.store = store
        self.upload = upload
    }

    private var ended = false

    func write(_ bytes: [UInt8]) async throws {
        guard !ended else { throw StorageError.io("write after the upload ended") }
        try bytes.withUnsafeBytes { try upload.write($0) }
    }

    func commit() async throws -> BlobDigest {
        guard !ended else { throw StorageError.io("commit after the upload ended") }
        ended = true
        do {
            let digest = try await store.finish(upload)
            try store.place(upload, digest: digest)
            return digest
        } catch {
            upload.discard()
            throw error
        }
    }

    func abort() async {
        ended = true
        upload.discard()
    }
}

/// An open file read with `pread` off the cooperative pool; closed when the last reader lets go of it.
final class ReadOnlyFile: @unchecked Sendable {
    // @unchecked: the descriptor is only read with pread (no shared offset) and closed once, in deinit.
    let descriptor: Int32
    let size: Int64

    init(url: URL) throws {
        descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StorageError.io("cannot open \(url.lastPathComponent): \(errnoText())") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let message = errnoText()
            close(descriptor)
            throw StorageError.io("cannot stat \(url.lastPathComponent): \(message)")
        }
        size = Int64(status.st_size)
    }

    deinit { close(descriptor) }

    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        guard read >= 0 else { throw StorageError.io("read failed: \(errnoText())") }
        bytes.removeLast(count - read)
        return bytes
    }
}

/// The position of one streamed read.
private final class ReadCursor: @unchecked Sendable {
    // @unchecked: advanced by the one consumer of the stream, one chunk at a time.
    let file: ReadOnlyFile
    var offset: Int64
    let end: Int64

    init(file: ReadOnlyFile, offset: Int64, end: Int64) {
        self.file = file
        self.offset = offset
        self.end = end
    }

    func next() async throws -> [UInt8]? {
        guard offset < end else { return nil }
        let count = Int(min(Int64(DirectoryBlobStore.readChunkSize), end - offset))
        let (file, offset) = (file, offset)
        let bytes = try await BlockingWork.run { try file.read(at: offset, count: count) }
        guard !bytes.isEmpty else { throw StorageError.io("blob ended before its size (truncated on disk?)") }
        self.offset += Int64(bytes.count)
        return bytes
    }
}
