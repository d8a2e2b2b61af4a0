import Crypto
import Foundation
import Logging
import NIOCore
import ObjectStorage
import PackageFeed
import S3BlobStore
import Testing

/// What only the S3 store does: multipart streaming of a large blob, layout in the bucket, the AWS CLI's view.
@Suite(.enabled(if: MotoServer.enabled, "moto[server] and awscli are not installed (scripts/test.sh installs them)"))
struct S3BlobStoreTests {
    @Test func hundredMiBStreamInEightMiBPartsAndTheAWSCLIReadsTheBlob() async throws {
        let client = try await MotoServer.client(prefix: "feed")
        let store = S3BlobStore(client: client)
        #expect(store.partSize == 8 << 20)
        let writer = try await store.beginWrite()
        var random = TestBytes(seed: 100)
        var hasher = SHA256()
        let total = 100 << 20
        var written = 0
        var sawMultipart = false
        while written < total {
            let chunk = random.next(min(1 << 20, total - written))
            hasher.update(data: chunk)
            try await writer.write(chunk)
            written += chunk.count
            if written == 20 << 20 {
                // Two parts are in the bucket already: the body streams into a multipart upload as it arrives.
                let pending = try await client.listMultipartUploads(prefix: "feed/uploads/")
                #expect(pending.map(\.key) == ["feed/uploads/\(writer.uploadID)"])
                sawMultipart = !pending.isEmpty
            }
        }
        #expect(sawMultipart)
        let digest = try await writer.commit()
        let expected = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        #expect(digest.sha256 == expected)
        #expect(digest.size == Int64(total))

        // Stored at its content address only: the multipart upload and the temporary object are gone.
        let key = "feed/sha256/\(expected.prefix(2))/\(expected)"
        #expect(try await client.listAllObjects(prefix: "").map(\.key) == [key])
        #expect(try await client.listMultipartUploads(prefix: "").isEmpty)
        #expect(try await client.headObject(key: key)?.size == Int64(total))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("s3blob-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let downloaded = directory.appendingPathComponent("blob")
        let endpoint = try await MotoServer.shared.url()
        let copy = try await AWSCLI.run(
            ["s3", "cp", "s3://\(client.configuration.bucket)/\(key)", downloaded.path], endpoint: endpoint, timeout: 300
        )
        #expect(copy.status == 0, "\(copy)")
        let handle = try FileHandle(forReadingFrom: downloaded)
        defer { try? handle.close() }
        var check = SHA256()
        while let data = try handle.read(upToCount: 4 << 20), !data.isEmpty { check.update(data: data) }
        #expect(check.finalize().map { String(format: "%02x", $0) }.joined() == expected)

        // A range from the middle, across a part boundary.
        let middle = try await store.read(sha256: expected, range: Int64(8 << 20) - 10...Int64(8 << 20) + 9).collect()
        var replay = TestBytes(seed: 100)
        for _ in 0..<7 { _ = replay.next(1 << 20) }
        let eighth = replay.next(1 << 20) + replay.next(1 << 20)
        #expect(middle == Array(eighth[(1 << 20) - 10..<(1 << 20) + 10]))
    }

    @Test func aBlobAboveTheSingleCopyLimitIsCopiedInPartsAndVerifiedByReadingBack() async throws {
        let client = try await MotoServer.client()
        var store = S3BlobStore(client: client, partSize: S3Client.minimumPartSize)
        // The 5 GiB CopyObject limit, scaled down: 12 MiB are copied as three server-side part copies.
        store.singleCopyLimit = 1 << 20
        store.copyPartSize = Int64(S3Client.minimumPartSize)
        var random = TestBytes(seed: 60)
        let bytes = random.next(12 << 20)
        let digest = try await BlobStoreConformance.write(bytes, to: store, chunk: 1 << 20)
        #expect(digest.sha256 == TestBytes.sha256Hex(bytes))
        let key = "sha256/\(digest.sha256.prefix(2))/\(digest.sha256)"
        #expect(try await client.listAllObjects(prefix: "").map(\.key) == [key])
        #expect(try await client.listMultipartUploads(prefix: "").isEmpty)
        // A multipart object's ETag ends in -PARTS: the copy was made of three parts.
        #expect(try await client.headObject(key: key)?.etag?.hasSuffix("-3\"") == true)
        #expect(try await store.read(sha256: digest.sha256).collect() == bytes)
    }

    @Test func requestsRefusedWithSlowDownAreTriedAgain() async throws {
        let direct = try await MotoServer.client()
        let proxy = try await FlakyProxy.start(upstream: try await MotoServer.shared.url(), mode: .slowDown)
        defer { proxy.stop() }
        var configuration = direct.configuration
        configuration.endpoint = proxy.url
        var client = S3Client(configuration: configuration, credentials: MotoServer.credentials)
        let store = S3BlobStore(client: client, partSize: S3Client.minimumPartSize)
        var random = TestBytes(seed: 70)
        let bytes = random.next(2 * S3Client.minimumPartSize + 100)
        let digest = try await BlobStoreConformance.write(bytes, to: store, chunk: 1 << 20)
        #expect(try await store.read(sha256: digest.sha256).collect() == bytes)
        let refused = proxy.refused
        // Create, three parts, complete, copy: each refused once, then sent again and done.
        #expect(refused.filter { $0.contains("partNumber=") }.count == 3, "\(refused)")
        #expect(refused.contains { $0.hasSuffix("?uploads") }, "\(refused)")
        #expect(refused.count >= 6, "\(refused)")

        // Without retries the same refusal is the error, with S3's code.
        client.retries = 0
        await #expect {
            try await client.putObject(key: "once", bytes: .init(string: "x"))
        } throws: { error in
            (error as? ObjectStorageError)?.code == "SlowDown"
        }
    }

    /// The stored object is checked against the SHA-256 computed while writing: by the checksum the server
    /// computes on copy, or, above the single-copy limit, by reading it back. A mismatch stores nothing.
    @Test(arguments: [false, true]) func aStoredObjectThatDoesNotMatchIsRefusedAndRemoved(copiedInParts: Bool) async throws {
        let direct = try await MotoServer.client()
        let proxy = try await FlakyProxy.start(upstream: try await MotoServer.shared.url(), mode: .corrupt)
        defer { proxy.stop() }
        var configuration = direct.configuration
        configuration.endpoint = proxy.url
        var store = S3BlobStore(
            client: S3Client(configuration: configuration, credentials: MotoServer.credentials), partSize: S3Client.minimumPartSize
        )
        if copiedInParts {
            store.singleCopyLimit = 1 << 20
            store.copyPartSize = Int64(S3Client.minimumPartSize)
        }
        var random = TestBytes(seed: 80)
        let bytes = random.next(S3Client.minimumPartSize + 1000)
        await #expect {
            _ = try await BlobStoreConformance.write(bytes, to: store, chunk: 1 << 20)
        } throws: { error in
            if case .verificationFailed(let message) = error as? BlobStoreError {
                return message.contains(copiedInParts ? "read back" : "SHA-256")
            }
            return false
        }
        #expect(try await direct.listAllObjects(prefix: "").isEmpty)
        #expect(try await direct.listMultipartUploads(prefix: "").isEmpty)
    }

    @Test func aBlobTheAWSCLIPutAtItsAddressIsRead() async throws {
        let client = try await MotoServer.client()
        let store = S3BlobStore(client: client)
        let bytes = Array("uploaded by the AWS CLI\n".utf8)
        let sha256 = TestBytes.sha256Hex(bytes)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let key = "sha256/\(sha256.prefix(2))/\(sha256)"
        let put = try await AWSCLI.run(
            ["s3", "cp", file.path, "s3://\(client.configuration.bucket)/\(key)"], endpoint: try await MotoServer.shared.url()
        )
        #expect(put.status == 0, "\(put)")
        #expect(try await store.allBlobs() == [sha256])
        #expect(try await store.size(sha256: sha256) == Int64(bytes.count))
        #expect(try await store.read(sha256: sha256).collect() == bytes)
        // Writing the same bytes again keeps the one object.
        let writer = try await store.beginWrite()
        try await writer.write(bytes)
        #expect(try await writer.commit().sha256 == sha256)
        #expect(try await client.listAllObjects(prefix: "").map(\.key) == [key])
    }

    @Test func configuredFromTheURLAndEnvironment() async throws {
        let endpoint = try await MotoServer.shared.url()
        let client = try await MotoServer.client()
        let store = try S3BlobStore(
            url: "s3://\(client.configuration.bucket)/a/b?endpoint=\(endpoint.absoluteString)&region=us-east-1",
            environment: [
                "AWS_ACCESS_KEY_ID": MotoServer.credentials.accessKeyID,
                "AWS_SECRET_ACCESS_KEY": MotoServer.credentials.secretAccessKey,
            ],
            logger: .init(label: "test")
        )
        let writer = try await store.beginWrite()
        try await writer.write(Array("x".utf8))
        let digest = try await writer.commit()
        #expect(try await client.listAllObjects(prefix: "").map(\.key) == ["a/b/sha256/\(digest.sha256.prefix(2))/\(digest.sha256)"])
        #expect(throws: ObjectStorageError.configuration("AWS_ACCESS_KEY_ID is not set")) {
            try S3BlobStore(url: "s3://bucket?endpoint=\(endpoint.absoluteString)", environment: [:], logger: .init(label: "test"))
        }
    }

    @Test func aBucketThatIsGoneFailsTheWriteAndLeavesNothing() async throws {
        let client = try await MotoServer.client()
        var configuration = client.configuration
        configuration.bucket = "bucket-that-does-not-exist"
        let store = S3BlobStore(
            client: S3Client(configuration: configuration, credentials: MotoServer.credentials), partSize: S3Client.minimumPartSize
        )
        let writer = try await store.beginWrite()
        var random = TestBytes(seed: 50)
        await #expect {
            try await writer.write(random.next(S3Client.minimumPartSize + 1))
        } throws: { error in
            (error as? ObjectStorageError)?.code == "NoSuchBucket"
        }
        await #expect(throws: (any Error).self) { _ = try await writer.commit() }
        #expect(try await client.listAllObjects(prefix: "").isEmpty)
    }
}
