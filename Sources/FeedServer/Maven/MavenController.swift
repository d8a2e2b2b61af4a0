import Foundation
import HTTPTypes
import Hummingbird
import PackageFeed

/// A read-only Maven 2 repository at `/maven/` for deployment tools that take packages from a Maven feed (Octopus
/// runbook package steps with an external Maven feed, Jenkins, Gradle): groupId `backupfeed` holds every package as
/// an artifact, `backupfeed.verified` only its proven versions. Version selection (`RELEASE`, ranges) is theirs.
struct MavenController {
    let feed: PackageFeed
    let downloads: DownloadResponder
    let privateMetadata: Bool

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        // The segment after the artifact is the metadata file in one route and the version in the other: the router
        // wants one parameter name per position, hence `segment`.
        for method in [HTTPRequest.Method.get, .head] {
            group.on("backupfeed/:artifactId/:segment", method: method, use: allMetadata)
            group.on("backupfeed/:artifactId/:segment/:file", method: method, use: allVersionFile)
            group.on("backupfeed/verified/:artifactId/:segment", method: method, use: verifiedMetadata)
            group.on("backupfeed/verified/:artifactId/:segment/:file", method: method, use: verifiedVersionFile)
        }
    }

    @Sendable func allMetadata(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await metadata(.all, artifact: try context.parameters.require("artifactId"), file: try context.parameters.require("segment"), request, context)
    }

    @Sendable func allVersionFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await versionFile(
            .all, artifact: try context.parameters.require("artifactId"), version: try context.parameters.require("segment"),
            file: try context.parameters.require("file"), request, context)
    }

    /// `backupfeed/verified/X/F` is also the path of version `X` of a package named `verified` in the all-versions
    /// group; the file name tells which one is meant.
    @Sendable func verifiedMetadata(_ request: Request, context: AppRequestContext) async throws -> Response {
        let artifact = try context.parameters.require("artifactId"), file = try context.parameters.require("segment")
        if (MavenChecksum.split(file)?.base ?? file) != "maven-metadata.xml" {
            return try await versionFile(.all, artifact: "verified", version: artifact, file: file, request, context)
        }
        return try await metadata(.verified, artifact: artifact, file: file, request, context)
    }

    @Sendable func verifiedVersionFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await versionFile(
            .verified, artifact: try context.parameters.require("artifactId"), version: try context.parameters.require("segment"),
            file: try context.parameters.require("file"), request, context)
    }

    private func requireMetadataAccess(_ context: AppRequestContext) throws {
        if privateMetadata { try context.require(.read) }
    }

    /// `maven-metadata.xml` of an artifact and its checksums.
    private func metadata(_ group: MavenGroup, artifact: String, file: String, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let (base, checksum) = MavenChecksum.split(file).map { ($0.base, Optional($0.checksum)) } ?? (file, nil)
        guard base == "maven-metadata.xml" else { throw Self.notFound("\(group.groupId):\(artifact) has no file \(file)") }
        let id = try Self.packageID(artifact)
        let (package, newestFirst) = try await versions(of: id, in: group)
        guard let newest = newestFirst.first else {
            throw Self.notFound("\(group.groupId):\(package.display) has no version yet\(group == .verified ? " whose verification passed" : "")")
        }
        let release = group == .verified ? newest : newestFirst.first { !$0.isPrerelease }
        // The verified group changes when a verification passes, not only when a version is pushed.
        var lastUpdated = newestFirst.map(\.publishedAt).max() ?? newest.publishedAt
        if group == .verified, let passed = try await feed.catalog.lastPassedAt(packageKeys: [package.key])[package.key] {
            lastUpdated = max(lastUpdated, passed)
        }
        let xml = MavenDocuments.metadata(
            groupId: group.groupId, artifactId: artifact, versions: newestFirst.reversed().map(\.version),
            latest: newest.version, release: release?.version, lastUpdated: lastUpdated)
        return Self.document(xml, checksum: checksum, contentType: "text/xml; charset=utf-8", request: request)
    }

    /// `{artifact}-{version}.{ext}` (the stored bytes), `{artifact}-{version}.pom`, and their checksums.
    private func versionFile(
        _ group: MavenGroup, artifact: String, version versionText: String, file: String, _ request: Request, _ context: AppRequestContext
    ) async throws -> Response {
        let (base, checksum) = MavenChecksum.split(file).map { ($0.base, Optional($0.checksum)) } ?? (file, nil)
        let prefix = "\(artifact)-\(versionText)."
        guard base.hasPrefix(prefix) else { throw Self.notFound("\(file) is not a file of \(group.groupId):\(artifact):\(versionText)") }
        let ext = String(base.dropFirst(prefix.count))
        let id = try Self.packageID(artifact)
        let version = try PackageVersion(versionText.removingPercentEncoding ?? versionText)
        let record = try await feed.version(id, version)
        if group == .verified {
            let verified = try await feed.catalog.verifiedVersions(packageKey: id.key)
            guard verified.contains(where: { $0.id == record.id }) else {
                throw Self.notFound("\(artifact) \(versionText) has not passed verification; backupfeed:\(artifact) has every version")
            }
        }
        let storedExtension = String(((try? PackageFilename(record.filename).fileExtension) ?? "").dropFirst())
        if ext == "pom" {
            try requireMetadataAccess(context)
            let pom = MavenDocuments.pom(
                groupId: group.groupId, artifactId: artifact, version: versionText, packaging: storedExtension.isEmpty ? "pom" : storedExtension,
                description: "Backup \(record.filename), published \(ISO8601DateFormatter().string(from: record.publishedAt)), sha256 \(record.sha256)")
            return Self.document(pom, checksum: checksum, contentType: "text/xml; charset=utf-8", request: request)
        }
        guard ext.lowercased() == storedExtension.lowercased() else {
            throw Self.notFound("\(artifact) \(versionText) is stored as .\(storedExtension), not .\(ext)")
        }
        if let checksum {
            try requireMetadataAccess(context)
            let value: String
            switch checksum {
            case .sha1: value = record.sha1
            case .sha256: value = record.sha256
            case .md5, .sha512:
                throw Self.notFound("\(file): stored backups have .sha1 and .sha256 checksums")
            }
            return Self.text(value, contentType: "text/plain; charset=utf-8", request: request)
        }
        try context.require(.read)
        return try await downloads.response(for: record, request: request, context: context, headOnly: request.method == .head)
    }

    /// Versions newest first: all of them, or the verified ones.
    private func versions(of id: PackageID, in group: MavenGroup) async throws -> (PackageRecord, [VersionRecord]) {
        switch group {
        case .all:
            return try await feed.versions(of: id)
        case .verified:
            guard let package = try await feed.catalog.package(key: id.key) else { throw FeedError.packageNotFound(id.display) }
            return (package, try await feed.catalog.verifiedVersions(packageKey: id.key))
        }
    }

    private static func packageID(_ text: String) throws -> PackageID {
        try PackageID(text.removingPercentEncoding ?? text)
    }

    private static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, message: message)
    }

    private static func document(_ text: String, checksum: MavenChecksum?, contentType: String, request: Request) -> Response {
        if let checksum { return Self.text(checksum.hex(of: Data(text.utf8)), contentType: "text/plain; charset=utf-8", request: request) }
        return Self.text(text, contentType: contentType, request: request)
    }

    private static func text(_ text: String, contentType: String, request: Request) -> Response {
        let bytes = ByteBuffer(string: text)
        var headers: HTTPFields = [.contentType: contentType, .contentLength: String(bytes.readableBytes), .cacheControl: "no-cache"]
        headers[.eTag] = "\"\(MavenChecksum.sha1.hex(of: Data(text.utf8)))\""
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }
}
