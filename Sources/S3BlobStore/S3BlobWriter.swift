import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import ObjectStorage
import PackageFeed

/// One write into the bucket: bytes gathered into a part buffer; a full part is uploaded while the next one fills,
/// and the next waits for it, so memory is two parts whatever the size. On any failure the multipart upload and
/// the temporary object are removed.
actor S3BlobWriter: BlobWriter {
    nonisolated let uploadID: String
    let store: S3BlobStore
    private var sha256 = SHA256()
    private var sha1 = Insecure.SHA1()
    private var size: Int64 = 0
    private var buffer: ByteBuffer
    private var multipartID: String?
    private var parts: [S3CompletedPart] = []
    /// The part on its way to the bucket while the next one fills.
    private var inFlight: Task<S3CompletedPart, any Error>?
    private var nextPartNumber = 1
    private var ended = false

    init(store: S3BlobStore, uploadID: String) {
        self.store = store
        self.uploadID = uploadID
        buffer = ByteBufferAllocator().buffer(capacity: store.partSize)
    }

    var temporaryKey: String { store.uploadsPrefix + uploadID }
    var client: S3Client { store.client }

    /// Parts grow with their number (see `S3BlobStore.partSize`).
    func partSize(number: Int) -> Int {
        min(S3BlobStore.maximumPartSize, store.partSize << min(3, (number - 1) / 1000))
    }

    func write(_ bytes: [UInt8]) async throws {
        guard !ended else { throw StorageError.io("write after the upload ended") }
        sha256.update(data: bytes)
        sha1.update(data: bytes)
        size += Int64(bytes.count)
        var rest = bytes[...]
        do {
            while !rest.isEmpty {
                let room = partSize(number: nextPartNumber) - buffer.readableBytes
                buffer.writeBytes(rest.prefix(room))
                rest = rest.dropFirst(room)
                if buffer.readableBytes >= partSize(number: nextPartNumber) { try await uploadBufferedPart() }
            }
        } catch {
            await abort()
            throw error
        }
    }

    /// Sends the buffered part on its way once the one before it has arrived.
    private func uploadBufferedPart() async throws {
        if multipartID == nil { multipartID = try await client.createMultipartUpload(key: temporaryKey) }
        try await finishInFlight()
        let (client, key, uploadID, number, bytes) = (client, temporaryKey, multipartID!, nextPartNumber, buffer)
        inFlight = Task { try await client.uploadPart(key: key, uploadID: uploadID, partNumber: number, bytes: bytes) }
        nextPartNumber += 1
        buffer = ByteBufferAllocator().buffer(capacity: partSize(number: nextPartNumber))
    }

    private func finishInFlight() async throws {
        guard let task = inFlight else { return }
        inFlight = nil
        parts.append(try await task.value)
    }

    func commit() async throws -> BlobDigest {
        guard !ended else { throw StorageError.io("commit after the upload ended") }
        let sha256Digest = SHA256Digest(finalizing: sha256)
        let digest = BlobDigest(sha256: sha256Digest.hex, sha1: Array(sha1.finalize()).hexString, size: size)
        let destination = store.key(sha256: digest.sha256)
        do {
            if multipartID == nil {
                try await storeSmall(at: destination, digest: digest)
            } else {
                try await storeLarge(at: destination, digest: digest, checksum: sha256Digest.base64)
            }
            ended = true
            return digest
        } catch {
            await abort()
            throw error
        }
    }

    /// Less than one part: one PUT at the address, refused by the server unless it matches the SHA-256.
    private func storeSmall(at destination: String, digest: BlobDigest) async throws {
        if let existing = try await client.headObject(key: destination), existing.size == digest.size { return }
        try await client.putObject(key: destination, bytes: buffer)
        buffer = ByteBuffer()
        try await verifySize(at: destination, digest: digest)
    }

    /// Completes the temporary object, copies it to the address on the server, checks the copy, deletes the temporary.
    private func storeLarge(at destination: String, digest: BlobDigest, checksum: String) async throws {
        if buffer.readableBytes > 0 { try await uploadBufferedPart() }
        try await finishInFlight()
        buffer = ByteBuffer()
        try await client.completeMultipartUpload(key: temporaryKey, uploadID: multipartID!, parts: parts)
        multipartID = nil
        if let existing = try await client.headObject(key: destination), existing.size == digest.size {
            // Identical content is stored once: the bytes already at the address are these bytes.
            try await client.deleteObject(key: temporaryKey)
            return
        }
        var copiedChecksum: String?
        if digest.size <= store.singleCopyLimit {
            copiedChecksum = try await client.copyObject(from: temporaryKey, to: destination).checksumSHA256
        } else {
            try await copyInParts(to: destination, size: digest.size)
        }
        do {
            if let copiedChecksum {
                // The server computed the copy's SHA-256 itself.
                guard copiedChecksum == checksum else {
                    throw BlobStoreError.verificationFailed("SHA-256 \(copiedChecksum) in the bucket, \(checksum) written")
                }
                try await verifySize(at: destination, digest: digest)
            } else {
                try await verifyByReading(destination, digest: digest)
            }
        } catch {
            try? await client.deleteObject(key: destination)
            throw error
        }
        try await client.deleteObject(key: temporaryKey)
    }

    /// Above 5 GiB, CopyObject is refused: UploadPartCopy copies the temporary object range by range.
    private func copyInParts(to destination: String, size: Int64) async throws {
        let copyID = try await client.createMultipartUpload(key: destination)
        do {
            var copied: [S3CompletedPart] = []
            var offset: Int64 = 0
            while offset < size {
                let end = min(size, offset + store.copyPartSize) - 1
                copied.append(try await client.uploadPartCopy(
                    key: destination, uploadID: copyID, partNumber: copied.count + 1, source: temporaryKey, range: offset...end
                ))
                offset = end + 1
            }
            try await client.completeMultipartUpload(key: destination, uploadID: copyID, parts: copied)
        } catch {
            try? await client.abortMultipartUpload(key: destination, uploadID: copyID)
            throw error
        }
    }

    private func verifySize(at key: String, digest: BlobDigest) async throws {
        guard let stored = try await client.headObject(key: key) else {
            throw BlobStoreError.verificationFailed("\(key) is missing right after it was written")
        }
        guard stored.size == digest.size else {
            throw BlobStoreError.verificationFailed("\(stored.size) bytes in the bucket, \(digest.size) written")
        }
    }

    /// For servers that compute no checksum on copy: read the object back and hash it.
    private func verifyByReading(_ key: String, digest: BlobDigest) async throws {
        let object = try await client.getObject(key: key)
        var hasher = SHA256()
        var count: Int64 = 0
        for try await chunk in object.body {
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            count += Int64(chunk.readableBytes)
        }
        let read = SHA256Digest(finalizing: hasher).hex
        guard count == digest.size, read == digest.sha256 else {
            throw BlobStoreError.verificationFailed("read back \(count) bytes with SHA-256 \(read)")
        }
    }

    func abort() async {
        ended = true
        buffer = ByteBuffer()
        if let inFlight {
            inFlight.cancel()
            _ = try? await inFlight.value
            self.inFlight = nil
        }
        if let multipartID {
            try? await client.abortMultipartUpload(key: temporaryKey, uploadID: multipartID)
            self.multipartID = nil
        }
        try? await client.deleteObject(key: temporaryKey)
    }
}
