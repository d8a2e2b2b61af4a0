import Foundation
import Hummingbird
import PackageFeed

/// The Octopus built-in feed routes, so that existing backup scripts and Octopus clients work with only the URL
/// changed. Mounted both at `/api` and at `/api/Spaces-{n}`; errors use Octopus's shape.
struct OctopusController {
    let feed: PackageFeed
    let receiver: UploadReceiver
    let downloads: DownloadResponder
    let privateMetadata: Bool

    /// `scoped` adds the space-only package list: unscoped, `GET /api/packages` is the native list.
    func addRoutes(to group: RouterGroup<AppRequestContext>, scoped: Bool) {
        group.post("packages/raw", use: push)
        if scoped { group.get("packages", use: packages) }
        group.get("packages/:id", use: package)
        group.get("packages/:id/raw", use: download)
        group.get("feeds", use: feeds)
        group.get("feeds/all", use: allFeeds)
        // The one feed by its ID; any other feed ID is the `/api/**` Octopus 404.
        group.get("feeds/feeds-builtin", use: builtInFeed)
        group.get("feeds/feeds-builtin/packages/versions", use: versions)
    }

    private func requireMetadataAccess(_ context: AppRequestContext) throws {
        if privateMetadata { try context.require(.read) }
    }

    @Sendable func push(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await receiver.metered {
            try context.require(.push)
            let mode = try request.overwriteMode()
            let expected = try PackagesController.expectedChecksum(request)
            let (upload, name) = try await receiver.receiveMultipart(request)
            let outcome = try await feed.publish(
                upload, id: name.id, version: name.version,
                filename: "\(name.id.display).\(name.version.original)\(name.fileExtension)",
                mode: mode, expectedSHA256: expected
            )
            let display = try await feed.catalog.package(key: name.id.key)?.display ?? name.id.display
            await receiver.published(outcome, packageId: display)
            return try JSONResponse.make(OctopusPackageResource(outcome.record, display: display), status: outcome.isCreated ? .created : .ok)
        }
    }

    /// `GET …/packages`: every stored version, by package then newest first; `nuGetPackageId` one package's,
    /// `filter` packages whose ID contains it, `latest=true` only each package's latest release.
    @Sendable func packages(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let (skip, take) = try request.pagingParameters(defaultTake: 30)
        var query: [(String, String)] = []
        var packages: [PackageRecord]
        if let nuGetPackageId = request.octopusParameter("nuGetPackageId") {
            query.append(("nuGetPackageId", nuGetPackageId))
            let id = try PackageID(nuGetPackageId)
            packages = try await feed.catalog.package(key: id.key).map { [$0] } ?? []
        } else {
            packages = try await feed.catalog.allPackages()
        }
        if let filter = request.octopusParameter("filter") {
            query.append(("filter", filter))
            packages = packages.filter { $0.key.contains(filter.lowercased()) }
        }
        let latest = try request.boolParameter("latest") ?? false
        if latest { query.append(("latest", "true")) }
        var items: [OctopusPackageResource] = []
        for package in packages {
            let versions: [VersionRecord]
            do {
                versions = try await feed.versions(of: try PackageID(package.display)).1
            } catch FeedError.packageNotFound {
                continue  // deleted since the package list was read
            }
            if latest {
                if let chosen = versions.first(where: { !$0.isPrerelease }) ?? versions.first {
                    items.append(OctopusPackageResource(chosen, display: package.display))
                }
            } else {
                items += versions.map { OctopusPackageResource($0, display: package.display) }
            }
        }
        return try JSONResponse.make(
            OctopusCollection(itemType: "Package", all: items, skip: skip, take: take, path: "\(OctopusSpace.home)/packages", query: query))
    }

    /// `GET …/packages/{ref}`: the metadata the REST scripts read (`FileExtension`) before they download.
    @Sendable func package(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let (record, display) = try await resolve(try context.parameters.require("id"))
        return try JSONResponse.make(OctopusPackageResource(record, display: display))
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.read)
        let (record, _) = try await resolve(try context.parameters.require("id"))
        return try await downloads.response(for: record, request: request, context: context)
    }

    /// `packages-{PackageId}.{Version}` (the package's `Id`) or `{PackageId}.{Version}` (what DownloadPackage.ps1
    /// builds): the same split as a filename without extension. A package whose ID itself starts with `packages-`
    /// is found by its unprefixed form when the prefixed reading names nothing.
    private func resolve(_ raw: String) async throws -> (VersionRecord, String) {
        let reference = raw.removingPercentEncoding ?? raw
        var candidates: [String] = []
        if reference.hasPrefix("packages-") { candidates.append(String(reference.dropFirst("packages-".count))) }
        candidates.append(reference)
        var firstError: (any Error)?
        for candidate in candidates {
            do {
                let name = try PackageFilename(candidate)
                let record = try await feed.version(name.id, name.version)
                let display = try await feed.catalog.package(key: name.id.key)?.display ?? name.id.display
                return (record, display)
            } catch {
                firstError = firstError ?? error
            }
        }
        if firstError is IdentityError {
            throw APIError(
                status: .badRequest,
                message: "'\(IdentityError.printable(reference))' is not a package reference: expected packages-<PackageId>.<Version> or <PackageId>.<Version>, like packages-PetClinicDB.2022.06.20",
                detail: "\(firstError!)")
        }
        throw firstError!
    }

    /// `GET …/feeds?feedType=BuiltIn` (how octo and the Go client find the built-in feed), with the collection's
    /// usual `ids`, `name` and `partialName` filters.
    @Sendable func feeds(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let (skip, take) = try request.pagingParameters(defaultTake: 30)
        let feed = OctopusFeedResource()
        var query: [(String, String)] = []
        var matches = [feed]
        if let type = request.octopusParameter("feedType") {
            query.append(("feedType", type))
            matches = matches.filter { $0.FeedType.lowercased() == type.lowercased() }
        }
        if let ids = request.octopusParameter("ids") {
            query.append(("ids", ids))
            let wanted = Set(ids.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            matches = matches.filter { wanted.contains($0.Id) }
        }
        if let name = request.octopusParameter("name") {
            query.append(("name", name))
            matches = matches.filter { $0.Name.lowercased() == name.lowercased() }
        }
        if let partial = request.octopusParameter("partialName") {
            query.append(("partialName", partial))
            matches = matches.filter { $0.Name.lowercased().contains(partial.lowercased()) }
        }
        return try JSONResponse.make(
            OctopusCollection(itemType: "Feed", all: matches, skip: skip, take: take, path: "\(OctopusSpace.home)/feeds", query: query))
    }

    @Sendable func allFeeds(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        return try JSONResponse.make([OctopusFeedResource()])
    }

    @Sendable func builtInFeed(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        return try JSONResponse.make(OctopusFeedResource())
    }

    /// The version search restore runbooks use to pick a backup: every answer lies inside `versionRange`, because
    /// a version outside it would restore the wrong backup without anyone noticing.
    @Sendable func versions(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        guard let packageId = request.octopusParameter("packageId") else {
            throw APIError(status: .badRequest, message: "packageId is required")
        }
        let id = try PackageID(packageId)
        let (skip, take) = try request.pagingParameters(defaultTake: 30)
        let search = try OctopusVersionSearch(request)
        let (package, versions) = try await feed.versions(of: id, includePrerelease: true)
        let items = versions.filter(search.matches).map { OctopusPackageResource($0, display: package.display) }
        return try JSONResponse.make(
            OctopusCollection(
                itemType: "Package", all: items, skip: skip, take: take,
                path: "\(OctopusSpace.home)/feeds/\(OctopusCompatibility.builtInFeedId)/packages/versions",
                query: [("packageId", package.display)] + search.query))
    }
}
