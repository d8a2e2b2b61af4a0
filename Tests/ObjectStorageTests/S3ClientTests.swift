import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
@testable import ObjectStorage

/// S3Client against a real S3 server (moto) on loopback, cross-checked with the AWS CLI.
@Suite(.enabled(if: MotoServer.enabled, "moto[server] and awscli are not installed (scripts/test.sh installs them)"))
struct S3ClientTests {
    @Test func putGetHeadDeleteRoundTrip() async throws {
        let client = try await MotoServer.client()
        var random = TestBytes(seed: 1)
        let bytes = random.next(300_000)
        try await client.putObject(key: "a/b.bin", bytes: ByteBuffer(bytes: bytes))
        #expect(try await client.getObjectBytes(key: "a/b.bin") == bytes)
        let info = try #require(try await client.headObject(key: "a/b.bin"))
        #expect(info.size == 300_000)
        #expect(try await client.getObjectBytes(key: "a/b.bin", range: 10...19) == Array(bytes[10...19]))
        try await client.deleteObject(key: "a/b.bin")
        #expect(try await client.headObject(key: "a/b.bin") == nil)
        try await client.deleteObject(key: "a/b.bin")  // deleting what is gone is fine
    }

    @Test func streamedPutOfUnsignedPayload() async throws {
        let client = try await MotoServer.client()
        var random = TestBytes(seed: 2)
        let chunks = (0..<5).map { _ in ByteBuffer(bytes: random.next(100_000)) }
        let body = HTTPClientRequest.Body.stream(Chunks(chunks: chunks), length: .known(Int64(500_000)))
        try await client.putObject(key: "streamed", body: body)
        let read = try await client.getObjectBytes(key: "streamed")
        #expect(read == chunks.flatMap { Array($0.readableBytesView) })
    }

    @Test func keysAreEncodedOnceAndExactly() async throws {
        let client = try await MotoServer.client()
        let keys = ["with space/and+plus", "ünïcödé/ሴ", "tilde~dash-dot._", "q?a=b&c"]
        for key in keys { try await client.putObject(key: key, bytes: ByteBuffer(string: key)) }
        for key in keys { #expect(try await client.getObjectBytes(key: key) == Array(key.utf8)) }
        #expect(Set(try await client.listAllObjects(prefix: "").map(\.key)) == Set(keys))
    }

    @Test func listingFollowsContinuationTokens() async throws {
        let client = try await MotoServer.client()
        for index in 0..<7 { try await client.putObject(key: "p/\(index)", bytes: ByteBuffer(string: "\(index)")) }
        try await client.putObject(key: "other", bytes: ByteBuffer(string: "x"))
        let first = try await client.listObjects(prefix: "p/", maxKeys: 3)
        #expect(first.objects.count == 3)
        #expect(first.continuationToken != nil)
        let all = try await client.listAllObjects(prefix: "p/", pageSize: 3)
        #expect(all.map(\.key) == (0..<7).map { "p/\($0)" })
        #expect(all.allSatisfy { $0.size == 1 })
    }

    @Test func errorsCarryS3sCodeAndMessage() async throws {
        let client = try await MotoServer.client()
        await #expect {
            try await client.getObject(key: "missing")
        } throws: { error in
            guard case .service(let service) = error as? ObjectStorageError else { return false }
            return service.code == "NoSuchKey" && service.status == 404 && !service.message.isEmpty
        }
        var gone = client.configuration
        gone.bucket = "no-such-bucket-here"
        let other = S3Client(configuration: gone, credentials: MotoServer.credentials)
        await #expect {
            try await other.listObjects(prefix: "")
        } throws: { error in
            (error as? ObjectStorageError)?.code == "NoSuchBucket"
        }
        // Aborting an upload that is not there is done, not an error (S3 says NoSuchUpload).
        try await client.abortMultipartUpload(key: "x", uploadID: "nonsense")

    }

    @Test func multipartCreateUploadCompleteListAndAbort() async throws {
        let client = try await MotoServer.client()
        var random = TestBytes(seed: 3)
        let part1 = random.next(S3Client.minimumPartSize)
        let part2 = random.next(1000)
        let id = try await client.createMultipartUpload(key: "joined")
        let abandoned = try await client.createMultipartUpload(key: "abandoned")
        let pending = try await client.listMultipartUploads(prefix: "")
        #expect(Set(pending.map(\.uploadID)) == [id, abandoned])
        let parts = [
            try await client.uploadPart(key: "joined", uploadID: id, partNumber: 1, bytes: ByteBuffer(bytes: part1)),
            try await client.uploadPart(key: "joined", uploadID: id, partNumber: 2, bytes: ByteBuffer(bytes: part2)),
        ]
        try await client.completeMultipartUpload(key: "joined", uploadID: id, parts: parts)
        #expect(try await client.getObjectBytes(key: "joined") == part1 + part2)
        try await client.abortMultipartUpload(key: "abandoned", uploadID: abandoned)
        #expect(try await client.listMultipartUploads(prefix: "").isEmpty)
        #expect(try await client.headObject(key: "abandoned") == nil)
    }

    @Test func copyReportsTheServersSHA256() async throws {
        let client = try await MotoServer.client()
        let bytes = Array("copied bytes".utf8)
        try await client.putObject(key: "source", bytes: ByteBuffer(bytes: bytes))
        let result = try await client.copyObject(from: "source", to: "copy")
        #expect(result.checksumSHA256 == SHA256Digest(bytes).base64)
        #expect(try await client.getObjectBytes(key: "copy") == bytes)
    }

    @Test func theAWSCLIReadsWhatS3ClientWroteAndTheOtherWayRound() async throws {
        let client = try await MotoServer.client()
        let endpoint = try await MotoServer.shared.url()
        let bucket = client.configuration.bucket
        var random = TestBytes(seed: 4)
        let ours = random.next(2_000_000)
        try await client.putObject(key: "ours/dump.zip", bytes: ByteBuffer(bytes: ours))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("awscli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let downloaded = directory.appendingPathComponent("downloaded")
        let copy = try await AWSCLI.run(["s3", "cp", "s3://\(bucket)/ours/dump.zip", downloaded.path], endpoint: endpoint)
        #expect(copy.status == 0, "\(copy)")
        #expect(try Array(Data(contentsOf: downloaded)) == ours)

        // Large enough that the AWS CLI itself uploads it in parts.
        let theirs = random.next(12_000_000)
        let upload = directory.appendingPathComponent("upload")
        try Data(theirs).write(to: upload)
        let put = try await AWSCLI.run(["s3", "cp", upload.path, "s3://\(bucket)/theirs/big file.bin"], endpoint: endpoint)
        #expect(put.status == 0, "\(put)")
        #expect(try await client.headObject(key: "theirs/big file.bin")?.size == 12_000_000)
        let read = try await client.getObjectBytes(key: "theirs/big file.bin")
        #expect(read == theirs)
    }
}

/// A few buffers as the streamed body of a request.
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [ByteBuffer]
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: chunks[...]) }
    struct AsyncIterator: AsyncIteratorProtocol {
        var rest: ArraySlice<ByteBuffer>
        mutating func next() async -> ByteBuffer? { rest.popFirst() }
    }
}
