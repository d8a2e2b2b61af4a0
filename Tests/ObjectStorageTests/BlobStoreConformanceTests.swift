import Foundation
import ObjectStorage
import PackageFeed
import S3BlobStore
import Testing

/// The blob-store conformance suite, run against the directory store and against S3 (moto on loopback).
@Suite struct BlobStoreConformanceTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case directory, s3
        var testDescription: String { rawValue }
    }

    /// S3 runs wherever moto is installed, and always in CI (where a missing moto then fails the tests).
    static let kinds: [Kind] = MotoServer.enabled ? [.directory, .s3] : [.directory]
    /// Spans three S3 parts (5 MiB, S3's smallest) so the multipart path and the server-side copy are taken.
    static let largeSize = 3 * S3Client.minimumPartSize + 12_345

    static func makeStore(_ kind: Kind) async throws -> any ObjectBlobStore {
        switch kind {
        case .directory:
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)")
            return try DirectoryBlobStore(root: root)
        case .s3:
            return S3BlobStore(client: try await MotoServer.client(prefix: "feed/blobs"), partSize: S3Client.minimumPartSize)
        }
    }

    @Test(arguments: kinds) func writeAndReadBack(_ kind: Kind) async throws {
        try await BlobStoreConformance.writeAndReadBack(try await Self.makeStore(kind), largeSize: Self.largeSize)
    }

    @Test(arguments: kinds) func ranges(_ kind: Kind) async throws {
        try await BlobStoreConformance.ranges(try await Self.makeStore(kind))
    }

    @Test(arguments: kinds) func sizeAndRemove(_ kind: Kind) async throws {
        try await BlobStoreConformance.sizeAndRemove(try await Self.makeStore(kind))
    }

    @Test(arguments: kinds) func listing(_ kind: Kind) async throws {
        try await BlobStoreConformance.listing(try await Self.makeStore(kind))
    }

    @Test(arguments: kinds) func identicalContentIsStoredOnce(_ kind: Kind) async throws {
        try await BlobStoreConformance.identicalContentIsStoredOnce(try await Self.makeStore(kind), largeSize: Self.largeSize)
    }

    @Test(arguments: kinds) func failedUploadLeavesNothing(_ kind: Kind) async throws {
        try await BlobStoreConformance.failedUploadLeavesNothing(try await Self.makeStore(kind), largeSize: Self.largeSize)
    }
}
