import Foundation
import Hummingbird
import PackageFeed

/// The Octopus-compatible routes, so that existing backup scripts work with only the URL changed.
/// Mounted both at `/api` and at `/api/:spaceId`; errors use Octopus's shape.
struct OctopusController {
    let feed: PackageFeed
    let receiver: UploadReceiver
    let downloads: DownloadResponder
    let privateMetadata: Bool

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("packages/raw", use: push)
        group.get("packages/:id/raw", use: download)
        group.get("feeds/feeds-builtin/packages/versions", use: versions)
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
            return try JSONResponse.make(OctopusPackageResponse(outcome.record, display: display), status: outcome.isCreated ? .created : .ok)
        }
    }

    /// `packages-{PackageId}.{Version}`: the same split as a filename without extension.
    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.read)
        let reference = try context.parameters.require("id")
        guard reference.hasPrefix("packages-") else {
            throw APIError(status: .notFound, message: "expected packages-<PackageId>.<Version>, like packages-PetClinicDB.2022.06.20")
        }
        let name = try PackageFilename(String(reference.dropFirst("packages-".count)))
        let record = try await feed.version(name.id, name.version)
        return try await downloads.response(for: record, request: request, context: context)
    }

    @Sendable func versions(_ request: Request, context: AppRequestContext) async throws -> Response {
        if privateMetadata { try context.require(.read) }
        guard let packageId = request.uri.queryParameters.first(where: { $0.key.lowercased() == "packageid" })?.value,
            !packageId.isEmpty
        else {
            throw APIError(status: .badRequest, message: "packageId is required")
        }
        let id = try PackageID(String(packageId))
        let (skip, take) = try request.pagingParameters(defaultTake: 30)
        let includePrerelease = try request.boolParameter("includePreRelease") ?? false
        let (package, versions) = try await feed.versions(of: id, includePrerelease: includePrerelease)
        let page = versions.dropFirst(skip).prefix(take).map { OctopusPackageResponse($0, display: package.display) }
        let pages = max(1, (versions.count + take - 1) / take)
        return try JSONResponse.make(
            OctopusCollectionResponse(
                ItemType: "Package", TotalResults: versions.count, ItemsPerPage: take, NumberOfPages: pages,
                LastPageNumber: pages - 1, Items: Array(page)
            )
        )
    }
}
