import Foundation
import Hummingbird
import PackageFeed

/// The handshake every Octopus client makes before it pushes or downloads: the root document, the space lookup,
/// the space home and the current user (OctopusClients' `OctopusAsyncRepository.LoadRootDocument`, go-octopusdeploy's
/// `NewClientWithCredentials`, api-client.ts' `Client.create` and `resolveSpaceId`).
struct OctopusRootController {
    let catalog: Catalog
    let space: OctopusSpace
    let privateMetadata: Bool

    /// `api` is the unscoped Octopus group; `spaceHome` is the group of `api/Spaces-{spaceNumber}`.
    func addRoutes(api: RouterGroup<AppRequestContext>, spaceHome: RouterGroup<AppRequestContext>) {
        api.get(use: root)
        api.get("spaces", use: spaces)
        api.get("spaces/all", use: allSpaces)
        api.get("spaces/:id", use: spaceById)
        api.get("users/me", use: currentUser)
        api.get("users/:userId/spaces", use: userSpaces)
        spaceHome.get(use: home)
    }

    private func requireMetadataAccess(_ context: AppRequestContext) throws {
        if privateMetadata { try context.require(.read) }
    }

    /// Public, as on an Octopus Server: it holds no data, and clients read it before they know whether to sign in.
    @Sendable func root(_ request: Request, context: AppRequestContext) async throws -> Response {
        let home = OctopusSpace.home
        return try JSONResponse.make(
            OctopusRootResource(
                InstallationId: try await catalog.installationId(),
                Links: [
                    "Self": "/api",
                    "Spaces": "/api/spaces{/id}{?name,skip,ids,take,partialName}",
                    "CurrentUser": "/api/users/me",
                    "SpaceHome": "/api/{spaceId}",
                    "PackageUpload": "\(home)/packages/raw{?replace,overwriteMode}",
                    "Packages": "\(home)/packages{/id}{?nuGetPackageId,filter,latest,skip,take,includeNotes}",
                    "Feeds": "\(home)/feeds{/id}{?skip,take,ids,partialName,feedType,name}",
                    // No `PackageDeltaSignature`: without it octo pushes the whole file instead of a delta.
                ]
            )
        )
    }

    /// `GET /api/spaces`: `name` matches exactly but case-insensitively, `partialName` by substring, `ids` by ID.
    @Sendable func spaces(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let (skip, take) = try request.pagingParameters(defaultTake: 30)
        var query: [(String, String)] = []
        var matches = [space.resource]
        if let name = request.octopusParameter("name") {
            query.append(("name", name))
            matches = matches.filter { $0.Name.trimmingCharacters(in: .whitespaces).lowercased() == name.trimmingCharacters(in: .whitespaces).lowercased() }
        }
        if let partial = request.octopusParameter("partialName") {
            query.append(("partialName", partial))
            matches = matches.filter { $0.Name.lowercased().contains(partial.lowercased()) }
        }
        if let ids = request.octopusParameter("ids") {
            query.append(("ids", ids))
            let wanted = Set(ids.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            matches = matches.filter { wanted.contains($0.Id.lowercased()) }
        }
        return try JSONResponse.make(
            OctopusCollection(itemType: "Space", all: matches, skip: skip, take: take, path: "/api/spaces", query: query))
    }

    /// `GET /api/spaces/all`: a plain array (the REST examples pipe it through `jq '.[] | select(.Name == …)'`).
    @Sendable func allSpaces(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        return try JSONResponse.make([space.resource])
    }

    @Sendable func spaceById(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        let id = try context.parameters.require("id")
        guard id.lowercased() == OctopusSpace.id.lowercased() else { throw space.unknown(id) }
        return try JSONResponse.make(space.resource)
    }

    /// The space home: the links octo (`LoadSpaceRootDocument`) and the Go client (`getRoot` with a space) follow.
    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireMetadataAccess(context)
        try space.requireKnown(number: context.parameters.get("spaceNumber"))
        let home = OctopusSpace.home
        return try JSONResponse.make(
            OctopusSpaceRootResource(
                Id: OctopusSpace.id,
                Links: [
                    "Self": home,
                    "PackageUpload": "\(home)/packages/raw{?replace,overwriteMode}",
                    "Packages": "\(home)/packages{/id}{?nuGetPackageId,filter,latest,skip,take,includeNotes}",
                    "Feeds": "\(home)/feeds{/id}{?skip,take,ids,partialName,feedType,name}",
                ]
            )
        )
    }

    /// The calling key as a service account. Its ID comes from the key's catalog row, so it is stable per key.
    @Sendable func currentUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.read)
        return try JSONResponse.make(Self.user(context.apiKey!))
    }

    /// A key sees its own spaces only: keys are not users, so there is no one else's list to show.
    @Sendable func userSpaces(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.read)
        let userId = try context.parameters.require("userId")
        let me = Self.user(context.apiKey!)
        guard userId == me.Id || userId.lowercased() == "me" else {
            throw APIError(status: .notFound, message: "there is no user '\(userId)' for this API key; it acts as \(me.Id) (\(me.Username))")
        }
        return try JSONResponse.make([space.resource])
    }

    static func user(_ key: APIKeyRecord) -> OctopusUserResource {
        let id = "Users-\(key.id ?? 0)"
        return OctopusUserResource(
            Id: id, Username: key.name, DisplayName: key.name,
            Links: ["Self": "/api/users/\(id)", "Spaces": "/api/users/\(id)/spaces"]
        )
    }
}
