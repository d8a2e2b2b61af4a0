import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ObjectStorage
import PackageFeed

/// The feed's blobs in an S3 bucket, under `PREFIX/sha256/ab/abcdef…`.
///
/// A write streams into a multipart upload at `PREFIX/uploads/<uuid>` (the SHA-256, and so the address, is known
/// only at the end), then is copied on the server to its content address, and the temporary object deleted.
/// Hashing first would need the whole upload spooled to local disk, which a stateless instance must not need.
/// A write smaller than one part is held in memory and stored with a single PUT straight at its address.
public struct S3BlobStore: ObjectBlobStore {
    public let client: S3Client
    let logger: Logger
    /// The first part's size; it doubles every 1,000 parts up to `maximumPartSize`, so that S3's 10,000-part
    /// limit is never reached below ~500 GiB while memory stays bounded (two parts: one filling, one uploading).
    public var partSize: Int
    public static let defaultPartSize = 8 << 20
    public static let maximumPartSize = 64 << 20
    /// Copies above S3's 5 GiB CopyObject limit are made of server-side part copies of this size.
    public var copyPartSize: Int64 = 1 << 30
    /// The largest blob copied with one CopyObject (S3's limit; lowered only by tests, to reach the other path).
    public var singleCopyLimit: Int64 = S3Client.maximumSingleObjectSize

    public init(client: S3Client, partSize: Int = S3BlobStore.defaultPartSize, logger: Logger = Logger(label: "backupfeed.s3")) {
        self.client = client
        self.partSize = min(max(partSize, S3Client.minimumPartSize), Self.maximumPartSize)
        self.logger = logger
    }

    /// `s3://BUCKET[/PREFIX]?endpoint=URL&region=R&path-style=true`, credentials from the AWS_* environment variables.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) throws {
        let client = S3Client(
            configuration: try S3Configuration(url: url), credentials: try SigV4Credentials.fromEnvironment(environment),
            logger: logger
        )
        self.init(client: client, logger: logger)
    }

    var prefix: String { client.configuration.prefix.isEmpty ? "" : client.configuration.prefix + "/" }
    func key(sha256: String) -> String { prefix + Self.contentAddress(sha256) }
    var uploadsPrefix: String { prefix + "uploads/" }

    public func beginWrite() async throws -> any BlobWriter {
        S3BlobWriter(store: self, uploadID: UUID().uuidString.lowercased())
    }

    public func read(sha256: String, range: ClosedRange<Int64>?) async throws -> BlobByteStream {
        guard BlobDigest.isValidSHA256(sha256) else { throw BlobStoreError.notFound(sha256: sha256) }
        if let range, range.lowerBound < 0 { throw BlobStoreError.invalidRange(sha256: sha256, range: range, size: nil) }
        do {
            let object = try await client.getObject(key: key(sha256: sha256), range: range)
            return BlobByteStream(length: object.contentLength, object.body) { buffer in Array(buffer.readableBytesView) }
        } catch let error as ObjectStorageError {
            switch error.code {
            case "NoSuchKey", "NotFound": throw BlobStoreError.notFound(sha256: sha256)
            case "InvalidRange":
                throw BlobStoreError.invalidRange(sha256: sha256, range: range ?? 0...0, size: try? await size(sha256: sha256))
            default: throw error
            }
        }
    }

    public func size(sha256: String) async throws -> Int64? {
        guard BlobDigest.isValidSHA256(sha256) else { return nil }
        return try await client.headObject(key: key(sha256: sha256))?.size
    }

    public func remove(sha256: String) async throws {
        guard BlobDigest.isValidSHA256(sha256) else { return }
        try await client.deleteObject(key: key(sha256: sha256))
    }

    public func allBlobs() async throws -> [String] {
        try await client.listAllObjects(prefix: prefix + "sha256/").compactMap { object in
            let name = String(object.key.split(separator: "/").last ?? "")
            return BlobDigest.isValidSHA256(name) && object.key == key(sha256: name) ? name : nil
        }
    }

    public func unfinishedUploads() async throws -> [String] {
        let pending = try await client.listMultipartUploads(prefix: uploadsPrefix).map(\.key)
        let objects = try await client.listAllObjects(prefix: uploadsPrefix).map(\.key)
        let ids = Set((pending + objects).map { String($0.dropFirst(uploadsPrefix.count)) })
        return ids.sorted()
    }

    public func discardUnfinishedUpload(_ uploadID: String) async throws {
        guard !uploadID.isEmpty, !uploadID.contains("/") else { return }
        let temporaryKey = uploadsPrefix + uploadID
        for pending in try await client.listMultipartUploads(prefix: temporaryKey) where pending.key == temporaryKey {
            try await client.abortMultipartUpload(key: pending.key, uploadID: pending.uploadID)
        }
        try await client.deleteObject(key: temporaryKey)
    }
}
