import Logging
import Foundation
import Testing
@testable import PackageFeed

@Suite struct BlobStoreTests {
    @Test func uploadIsInvisibleUntilPlacedAndIdenticalContentIsStoredOnce() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try FileBlobStore(root: root)
        let bytes = Array("hello backup".utf8)

        let first = try store.beginUpload()
        try bytes.withUnsafeBytes { try first.write($0) }
        #expect(try store.allBlobs().isEmpty)
        let digest = try await store.finish(first)
        #expect(digest.size == Int64(bytes.count))
        try store.place(first, digest: digest)
        #expect(try store.allBlobs() == [digest.sha256])
        let stored = try #require(store.fileURL(sha256: digest.sha256))
        #expect(try Data(contentsOf: stored) == Data(bytes))

        let second = try store.beginUpload()
        try bytes.withUnsafeBytes { try second.write($0) }
        let again = try await store.finish(second)
        try store.place(second, digest: again)
        second.discard()
        #expect(try store.allBlobs().count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tmp").path).isEmpty)
    }

    @Test func hashesMatchKnownDigests() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try FileBlobStore(root: root)
        let upload = try store.beginUpload()
        try Array("abc".utf8).withUnsafeBytes { try upload.write($0) }
        let digest = try await store.finish(upload)
        #expect(digest.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        upload.discard()
    }

    @Test func blobPathsAreOnlyEverBuiltFromHexDigests() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try FileBlobStore(root: root)
        #expect(store.fileURL(sha256: "../../etc/passwd") == nil)
        #expect(store.fileURL(sha256: String(repeating: "A", count: 64)) == nil)
    }
}

@Suite struct JobQueueTests {
    @Test func interruptedJobsAreRequeuedUntilTheyHaveFailedThreeTimes() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let feed = try PackageFeed(dataDirectory: root, logger: .init(label: "test"))
        let upload = try feed.beginUpload()
        try Array("x".utf8).withUnsafeBytes { try upload.write($0) }
        _ = try await feed.publish(upload, id: try PackageID("Q"), version: try PackageVersion("1.0"), filename: "Q.1.0", mode: .failIfExists, expectedSHA256: nil)
        for attempt in 1...Catalog.maxAttempts {
            let job = try #require(try await feed.catalog.claimNextJob(), "attempt \(attempt) gets the job back")
            #expect(job.attempts == attempt)
            try await feed.catalog.requeueRunningJobs()
        }
        #expect(try await feed.catalog.claimNextJob() == nil)
        let jobs = try await feed.catalog.jobs(versionId: 1)
        #expect(jobs.first?.status == "error")
        #expect(jobs.first?.summary?.contains("3 times") == true)
    }
}
