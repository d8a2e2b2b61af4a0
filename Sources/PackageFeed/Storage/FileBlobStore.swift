import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Blobs at `DATA/blobs/sha256/ab/abcdef…`, uploads in `DATA/tmp`. Paths are built only from hex digests we computed.
public struct FileBlobStore: BlobStore {
    public let root: URL
    private var blobRoot: URL { root.appendingPathComponent("blobs/sha256", isDirectory: true) }
    private var temporaryRoot: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    public init(root: URL) throws {
        self.root = root
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: root.appendingPathComponent("blobs/sha256"), withIntermediateDirectories: true)
        try fileManager.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    public func beginUpload() throws -> BlobUpload {
        try BlobUpload(temporaryURL: temporaryRoot.appendingPathComponent("upload-\(UUID().uuidString)"))
    }

    public func finish(_ upload: BlobUpload) async throws -> BlobDigest {
        // fsync of a large file takes a while: keep it off the cooperative pool.
        try await BlockingWork.run { try upload.finish() }
    }

    public func place(_ upload: BlobUpload, digest: BlobDigest) throws {
        let destination = path(for: digest.sha256)
        let directory = destination.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: destination.path) {
            // Identical content is stored once: keep the existing file.
            upload.discard()
        } else {
            guard rename(upload.temporaryURL.path, destination.path) == 0 else {
                let message = errnoText()
                upload.discard()
                throw StorageError.io("cannot move upload into place: \(message)")
            }
            syncDirectory(directory)
        }
    }

    public func fileURL(sha256: String) -> URL? {
        guard BlobDigest.isValidSHA256(sha256) else { return nil }
        let url = path(for: sha256)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    public func remove(sha256: String) throws {
        guard BlobDigest.isValidSHA256(sha256) else { return }
        if unlink(path(for: sha256).path) != 0, errno != ENOENT {
            throw StorageError.io("cannot remove blob \(sha256): \(errnoText())")
        }
    }

    public func allBlobs() throws -> [String] {
        let fileManager = FileManager.default
        var result: [String] = []
        for prefix in try fileManager.contentsOfDirectory(atPath: blobRoot.path) {
            let entries = (try? fileManager.contentsOfDirectory(atPath: blobRoot.appendingPathComponent(prefix).path)) ?? []
            result += entries.filter(BlobDigest.isValidSHA256)
        }
        return result
    }

    public func sweepTemporaryFiles() throws -> Int {
        let fileManager = FileManager.default
        let names = try fileManager.contentsOfDirectory(atPath: temporaryRoot.path)
        for name in names {
            try? fileManager.removeItem(at: temporaryRoot.appendingPathComponent(name))
        }
        return names.count
    }

    private func path(for sha256: String) -> URL {
        blobRoot.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true).appendingPathComponent(sha256)
    }

    /// The rename is durable only once the directory entry itself is flushed.
    private func syncDirectory(_ directory: URL) {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
