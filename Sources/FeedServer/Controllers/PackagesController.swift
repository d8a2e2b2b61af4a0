import Logging
import Foundation
import Hummingbird
import PackageFeed

/// The native, curl-first API under `/api/packages`.
struct PackagesController {
    let feed: PackageFeed
    let receiver: UploadReceiver
    let downloads: DownloadResponder
    let privateMetadata: Bool

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: list)
        group.put(":id/:version", use: push)
        group.get(":id/versions", use: versions)
        group.get(":id/freshness", use: freshness)
        group.get(":id/latest", use: latest)
        group.get(":id/latest/download", use: latestDownload)
        group.head(":id/latest/download", use: latestDownload)
        group.get(":id/:version", use: metadata)
        group.get(":id/:version/download", use: download)
        group.head(":id/:version/download", use: download)
        group.delete(":id/:version", use: delete)
    }

    private func requireMetadataAccess(_ context: AppRequestContext) throws {
        if privateMetadata { try context.require(.read) }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let (skip, take) = try request.pagingParameters()
        let filter = request.uri.queryParameters["filter"].map(String.init)
        let (packages, total) = try await feed.catalog.packages(filter: filter, skip: skip, take: take)
        let lastPassed = try await feed.catalog.lastPassedAt(packageKeys: packages.map(\.package.key))
        let freshness = try await FreshnessReader(catalog: feed.catalog).freshness(of: packages.map(\.package))
        let arrivals = try await ArrivalReader(catalog: feed.catalog).arrivals(of: packages.map(\.package))
        var items: [PackageSummaryResponse] = []
        for summary in packages {
            let id = try PackageID(summary.package.display)
            let (_, versions) = try await feed.versions(of: id)
            let latest = versions.first { !$0.isPrerelease } ?? versions.first
            let jobs = try await feed.catalog.latestJobs(versionIds: latest?.id.map { [$0] } ?? [])
            items.append(
                PackageSummaryResponse(
                    packageId: summary.package.display, latestVersion: latest?.version, versionCount: summary.versionCount,
                    totalSize: summary.totalSize, latestVerification: latest?.id.flatMap { jobs[$0] }.map(VerificationSummaryResponse.init),
                    lastVerifiedAt: lastPassed[summary.package.key],
                    stale: freshness[summary.package.key]?.stale ?? false, freshness: freshness[summary.package.key],
                    overdue: arrivals[summary.package.key]?.overdue ?? false, arrival: arrivals[summary.package.key]
                )
            )
        }
        return try JSONResponse.make(PageResponse(items: items, total: total, skip: skip, take: take))
    }

    @Sendable func push(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await receiver.metered {
            try context.require(.push)
            let id = try context.parameters.packageID()
            let version = try context.parameters.packageVersion()
            let mode = try request.overwriteMode()
            let expected = try Self.expectedChecksum(request)
            let upload = try await receiver.receiveRaw(request)
            let extensionHint = request.uri.queryParameters["extension"].map(String.init)
            let filename = try Self.filename(id: id, version: version, hint: extensionHint, upload: upload)
            let outcome = try await feed.publish(upload, id: id, version: version, filename: filename, mode: mode, expectedSHA256: expected)
            let display = try await display(id)
            await receiver.published(outcome, packageId: display)
            return try JSONResponse.make(
                VersionResponse(outcome.record, display: display, verification: nil),
                status: outcome.isCreated ? .created : .ok
            )
        }
    }

    @Sendable func versions(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let id = try context.parameters.packageID()
        let (skip, take) = try request.pagingParameters(defaultTake: 100)
        let includePrerelease = try request.boolParameter("includePrerelease") ?? true
        let (package, versions) = try await feed.versions(of: id, includePrerelease: includePrerelease)
        let page = Array(versions.dropFirst(skip).prefix(take))
        let jobs = try await feed.catalog.latestJobs(versionIds: page.compactMap(\.id))
        let items = page.map { VersionResponse($0, display: package.display, verification: jobs[$0.id!]) }
        return try JSONResponse.make(PageResponse(items: items, total: versions.count, skip: skip, take: take))
    }

    @Sendable func freshness(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let id = try context.parameters.packageID()
        guard let package = try await feed.catalog.package(key: id.key) else { throw FeedError.packageNotFound(id.display) }
        let freshness = try await FreshnessReader(catalog: feed.catalog).freshness(of: [package])[package.key]
        let lastVerifiedAt = try await feed.catalog.lastPassedAt(packageKeys: [package.key])[package.key]
        let arrival = try await ArrivalReader(catalog: feed.catalog).arrivals(of: [package])[package.key]
        return try JSONResponse.make(PackageFreshnessResponse(
            packageId: package.display, stale: freshness?.stale ?? false, lastVerifiedAt: lastVerifiedAt, freshness: freshness,
            overdue: arrival?.overdue ?? false, arrival: arrival))
    }

    @Sendable func metadata(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let id = try context.parameters.packageID()
        let record = try await feed.version(id, try context.parameters.packageVersion())
        return try await versionResponse(record, id: id)
    }

    @Sendable func latest(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let id = try context.parameters.packageID()
        let resolved = try await feed.latest(id, verified: try request.boolParameter("verified") ?? false)
        return try JSONResponse.make(VersionResponse(resolved.version, display: resolved.package.display, verification: resolved.latestJob))
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.read)
        let record = try await feed.version(try context.parameters.packageID(), try context.parameters.packageVersion())
        return try await downloads.response(for: record, request: request, context: context, headOnly: request.method == .head)
    }

    @Sendable func latestDownload(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.read)
        let record = try await feed.latest(try context.parameters.packageID(), verified: try request.boolParameter("verified") ?? false).version
        return try await downloads.response(for: record, request: request, context: context, headOnly: request.method == .head)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        let id = try context.parameters.packageID()
        let record = try await feed.delete(id, try context.parameters.packageVersion())
        return try JSONResponse.make(["deleted": "\(id.display) \(record.version)"])
    }

    private func versionResponse(_ record: VersionRecord, id: PackageID) async throws -> Response {
        let job = try await feed.catalog.latestJobs(versionIds: [record.id!])[record.id!]
        return try JSONResponse.make(VersionResponse(record, display: try await display(id), verification: job))
    }

    private func display(_ id: PackageID) async throws -> String {
        try await feed.catalog.package(key: id.key)?.display ?? id.display
    }

    static func expectedChecksum(_ request: Request) throws -> String? {
        guard let value = request.headers[.checksumSHA256]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        guard BlobDigest.isValidSHA256(value.lowercased()) else {
            throw APIError(status: .badRequest, message: "X-Checksum-Sha256 must be 64 hexadecimal characters")
        }
        return value.lowercased()
    }

    /// A raw PUT carries no filename: name it `<id>.<version><ext>`, the extension from `?extension=` or the content.
    static func filename(id: PackageID, version: PackageVersion, hint: String?, upload: BlobUpload) throws -> String {
        if let hint, !hint.isEmpty {
            let ext = hint.hasPrefix(".") ? hint : "." + hint
            guard PackageFilename.isKnownExtension(ext) else {
                throw APIError(
                    status: .badRequest,
                    message: "extension must be one of \(PackageFilename.baseExtensions.joined(separator: " ")), optionally followed by \(PackageFilename.wrapperExtensions.joined(separator: " ")) (like .sql.gz)")
            }
            return "\(id.display).\(version.original)\(ext)"
        }
        return "\(id.display).\(version.original)\(upload.sniffedExtension)"
    }
}

extension PublishOutcome {
    var isCreated: Bool {
        if case .created = self { return true }
        return false
    }
}

