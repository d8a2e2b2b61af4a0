import Crypto
import Foundation
import PackageFeed
import Testing

/// What every `ObjectBlobStore` must do, written once against the protocol and run for each implementation
/// (BlobStoreConformanceTests). `largeSize` is big enough to span several parts of a multipart upload.
enum BlobStoreConformance {
    static func writeAndReadBack(_ store: any ObjectBlobStore, largeSize: Int) async throws {
        for (seed, size) in [(UInt64(10), 1), (11, 70_000), (12, largeSize)] {
            var random = TestBytes(seed: seed)
            let bytes = random.next(size)
            let digest = try await write(bytes, to: store, chunk: 65_536)
            #expect(digest.sha256 == TestBytes.sha256Hex(bytes))
            #expect(digest.sha1 == Insecure.SHA1.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            #expect(digest.size == Int64(size))
            let stream = try await store.read(sha256: digest.sha256)
            #expect(stream.length == Int64(size))
            #expect(try await stream.collect() == bytes)
        }
        let empty = try await write([], to: store, chunk: 1)
        #expect(empty.sha256 == TestBytes.sha256Hex([]))
        #expect(try await store.read(sha256: empty.sha256).collect() == [])
        #expect(try await store.size(sha256: empty.sha256) == 0)
    }

    static func ranges(_ store: any ObjectBlobStore) async throws {
        var random = TestBytes(seed: 20)
        let bytes = random.next(100_000)
        let sha256 = try await write(bytes, to: store, chunk: 30_000).sha256
        for range: ClosedRange<Int64> in [0...0, 0...99_999, 1...1, 12_345...67_890, 99_999...99_999] {
            let stream = try await store.read(sha256: sha256, range: range)
            #expect(stream.length == range.upperBound - range.lowerBound + 1)
            #expect(try await stream.collect() == Array(bytes[Int(range.lowerBound)...Int(range.upperBound)]), "\(range)")
        }
        // An end past the blob reads to its end, as an HTTP Range does.
        #expect(try await store.read(sha256: sha256, range: 99_990...200_000).collect() == Array(bytes[99_990...]))
        await #expect {
            _ = try await store.read(sha256: sha256, range: 100_000...100_010)
        } throws: { error in
            if case .invalidRange = error as? BlobStoreError { return true }
            return false
        }
        let missing = String(repeating: "0", count: 64)
        await #expect(throws: BlobStoreError.notFound(sha256: missing)) { _ = try await store.read(sha256: missing, range: 0...1) }
        await #expect(throws: BlobStoreError.notFound(sha256: missing)) { _ = try await store.read(sha256: missing) }
    }

    static func sizeAndRemove(_ store: any ObjectBlobStore) async throws {
        let bytes = Array("a blob to remove".utf8)
        let sha256 = try await write(bytes, to: store, chunk: 4).sha256
        #expect(try await store.size(sha256: sha256) == Int64(bytes.count))
        #expect(try await store.size(sha256: String(repeating: "f", count: 64)) == nil)
        #expect(try await store.size(sha256: "../../etc/passwd") == nil)
        try await store.remove(sha256: sha256)
        #expect(try await store.size(sha256: sha256) == nil)
        #expect(try await store.allBlobs().contains(sha256) == false)
        await #expect(throws: BlobStoreError.notFound(sha256: sha256)) { _ = try await store.read(sha256: sha256) }
        try await store.remove(sha256: sha256)  // removing what is gone is fine
        try await store.remove(sha256: "not-a-digest")
    }

    static func listing(_ store: any ObjectBlobStore) async throws {
        #expect(try await store.allBlobs().isEmpty)
        var written: Set<String> = []
        for index in 0..<5 { written.insert(try await write(Array("blob \(index)".utf8), to: store, chunk: 3).sha256) }
        #expect(Set(try await store.allBlobs()) == written)
        #expect(try await store.allBlobs().count == 5)
    }

    static func identicalContentIsStoredOnce(_ store: any ObjectBlobStore, largeSize: Int) async throws {
        for (seed, size) in [(UInt64(30), 5_000), (31, largeSize)] {
            var random = TestBytes(seed: seed)
            let bytes = random.next(size)
            let first = try await write(bytes, to: store, chunk: 100_000)
            let second = try await write(bytes, to: store, chunk: 77_777)
            #expect(first == second)
            #expect(try await store.read(sha256: first.sha256).collect() == bytes)
        }
        #expect(try await store.allBlobs().count == 2)
        #expect(try await store.unfinishedUploads().isEmpty)
    }

    static func failedUploadLeavesNothing(_ store: any ObjectBlobStore, largeSize: Int) async throws {
        var random = TestBytes(seed: 40)
        let writer = try await store.beginWrite()
        try await writer.write(random.next(largeSize))
        await writer.abort()
        await #expect(throws: (any Error).self) { try await writer.write([1, 2, 3]) }
        await #expect(throws: (any Error).self) { _ = try await writer.commit() }
        #expect(try await store.allBlobs().isEmpty)
        #expect(try await store.unfinishedUploads().isEmpty)

        // A write whose instance died (neither committed nor aborted) is found by its ID and discarded.
        let orphan = try await store.beginWrite()
        try await orphan.write(random.next(largeSize))
        #expect(try await store.unfinishedUploads() == [orphan.uploadID])
        try await store.discardUnfinishedUpload(orphan.uploadID)
        #expect(try await store.unfinishedUploads().isEmpty)
        #expect(try await store.allBlobs().isEmpty)
    }

    /// Writes `bytes` in chunks of `chunk` bytes and commits.
    static func write(_ bytes: [UInt8], to store: any ObjectBlobStore, chunk: Int) async throws -> BlobDigest {
        let writer = try await store.beginWrite()
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try await writer.write(Array(bytes[offset..<end]))
            offset = end
        }
        return try await writer.commit()
    }
}
