import Foundation
import Logging

/// The feed: package versions in the catalog, their bytes in the blob store.
/// Everything the HTTP layer needs goes through here; it knows nothing of HTTP.
public final class PackageFeed: Sendable {
    public let catalog: Catalog
    public let blobs: any BlobStore
    public let keys: APIKeys
    /// The identities that open encrypted backups for verification (nil: a feed without a data directory).
    public let decryptionKeys: DecryptionKeyStore?
    let logger: Logger

    public init(catalog: Catalog, blobs: any BlobStore, logger: Logger, decryptionKeys: DecryptionKeyStore? = nil) {
        self.catalog = catalog
        self.blobs = blobs
        self.keys = APIKeys(catalog: catalog)
        self.decryptionKeys = decryptionKeys
        self.logger = logger
    }

    /// Opens (creating on first start) the catalog and blob store under a data directory.
    public convenience init(dataDirectory: URL, logger: Logger) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        self.init(
            catalog: try Catalog(path: dataDirectory.appendingPathComponent("catalog.sqlite")),
            blobs: try FileBlobStore(root: dataDirectory),
            logger: logger,
            decryptionKeys: DecryptionKeyStore(dataDirectory: dataDirectory)
        )
    }

    /// Startup sweep after a crash: temp files of unfinished uploads and blobs no version points at.
    @discardableResult
    public func recover() async throws -> (temporaryFiles: Int, orphanBlobs: Int) {
        let temporary = try blobs.sweepTemporaryFiles()
        let orphans = try await removeUnusedBlobs(dryRun: false)
        if temporary + orphans.count > 0 {
            logger.info("startup sweep", metadata: ["tempFiles": "\(temporary)", "orphanBlobs": "\(orphans.count)"])
        }
        return (temporary, orphans.count)
    }

    public func beginUpload() throws -> BlobUpload { try blobs.beginUpload() }

    /// Makes a finished upload a version: checks the client's checksum, then records it in one transaction.
    /// The upload is always consumed: moved into the store or deleted.
    public func publish(
        _ upload: BlobUpload, id: PackageID, version: PackageVersion, filename: String, mode: OverwriteMode,
        expectedSHA256: String?
    ) async throws -> PublishOutcome {
        defer { upload.discard() }
        let digest = try await blobs.finish(upload)
        if let expected = expectedSHA256?.lowercased(), expected != digest.sha256 {
            throw FeedError.checksumMismatch(expected: expected, actual: digest.sha256)
        }
        let blobs = self.blobs
        let logger = self.logger
        let outcome = try await catalog.publish(
            id: id, version: version, filename: filename, digest: digest, mode: mode,
            placeBlob: { try blobs.place(upload, digest: digest) },
            removeBlob: { sha256 in
                do { try blobs.remove(sha256: sha256) } catch {
                    logger.warning("could not remove unused blob; the next startup sweep will", metadata: ["sha256": "\(sha256)"])
                }
            }
        )
        logger.info(
            "push",
            metadata: ["package": "\(id)", "version": "\(version)", "size": "\(digest.size)", "outcome": "\(outcome.label)"]
        )
        return outcome
    }

    /// A package's versions, newest first by version order.
    public func versions(of id: PackageID, includePrerelease: Bool = true) async throws -> (PackageRecord, [VersionRecord]) {
        guard let package = try await catalog.package(key: id.key) else { throw FeedError.packageNotFound(id.display) }
        let all = try await catalog.versions(packageKey: id.key)
        let sorted = all.compactMap { record in record.parsedVersion.map { (record, $0) } }
            .filter { includePrerelease || !$0.1.isPrerelease }
            .sorted { $0.1 > $1.1 }
            .map(\.0)
        return (package, sorted)
    }

    public func version(_ id: PackageID, _ version: PackageVersion) async throws -> VersionRecord {
        guard let record = try await catalog.version(packageKey: id.key, versionKey: version.key) else {
            if try await catalog.package(key: id.key) == nil { throw FeedError.packageNotFound(id.display) }
            throw FeedError.versionNotFound(id.display, version.original)
        }
        return record
    }

    /// The highest release version, or, with `verified`, the highest version whose latest run passed.
    public func latest(_ id: PackageID, verified: Bool) async throws -> ResolvedVersion {
        guard let resolved = try await catalog.latest(packageKey: id.key, verified: verified) else {
            if try await catalog.package(key: id.key) == nil { throw FeedError.packageNotFound(id.display) }
            throw verified ? FeedError.noVerifiedVersion(id.display) : FeedError.versionNotFound(id.display, "latest")
        }
        return resolved
    }

    /// Deletes a version; its blob goes too when no other version shares it.
    public func delete(_ id: PackageID, _ version: PackageVersion) async throws -> VersionRecord {
        let blobs = self.blobs
        guard let record = try await catalog.deleteVersion(
            packageKey: id.key, versionKey: version.key, removeBlob: { try? blobs.remove(sha256: $0) }
        ) else {
            throw FeedError.versionNotFound(id.display, version.original)
        }
        logger.info("delete", metadata: ["package": "\(id)", "version": "\(version)"])
        return record
    }

    /// The file holding a version's bytes.
    public func file(of record: VersionRecord) throws -> URL {
        guard let url = blobs.fileURL(sha256: record.sha256) else {
            throw StorageError.io("blob \(record.sha256) of \(record.packageKey) \(record.version) is missing")
        }
        return url
    }
}

extension PublishOutcome {
    var label: String {
        switch self {
        case .created: "created"
        case .replaced: "replaced"
        case .unchanged: "unchanged"
        case .ignored: "ignored"
        }
    }
}
