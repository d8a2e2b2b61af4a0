import Foundation
import PackageFeed

/// Octopus resources (PascalCase) as the clients deserialize them: only the fields they read, plus what an Octopus
/// Server always sends so that strict deserializers (the .NET client's) find every non-nullable field.

/// `GET /api`: the root document every client loads first.
struct OctopusRootResource: Encodable, Sendable {
    var Id = "BackupFeed"
    var Application = "BackupFeed"
    var Version = OctopusCompatibility.serverVersion
    var ApiVersion = OctopusCompatibility.apiVersion
    var InstallationId: String
    var IsEarlyAccessProgram = false
    var HasLongTermSupport = false
    var Links: [String: String]
}

/// One space, as in `/api/spaces` and `/api/users/{id}/spaces`.
struct OctopusSpaceResource: Encodable, Sendable {
    var Id: String
    var Name: String
    var Slug: String
    var Description: String
    var IsDefault: Bool
    var IsPrivate = false
    var TaskQueueStopped = false
    var SpaceManagersTeams: [String] = []
    var SpaceManagersTeamMembers: [String] = []
    var Links: [String: String]
}

/// `GET /api/Spaces-1`: the space home, whose links the clients follow inside a space.
struct OctopusSpaceRootResource: Encodable, Sendable {
    var Id: String
    var Links: [String: String]
}

/// `GET /api/users/me`: the calling API key, shown as the service account it acts as.
struct OctopusUserResource: Encodable, Sendable {
    var Id: String
    var Username: String
    var DisplayName: String
    var IsActive = true
    var IsService = true
    var IsRequestor = true
    var CanPasswordBeEdited = false
    var EmailAddress = ""
    var Identities: [String] = []
    var Links: [String: String]
}

/// The one feed: Octopus's built-in package repository.
struct OctopusFeedResource: Encodable, Sendable {
    var Id = OctopusCompatibility.builtInFeedId
    var Name = "Octopus Server (built-in)"
    var Slug = "octopus-server-built-in"
    var FeedType = "BuiltIn"
    var SpaceId = OctopusSpace.id
    var IsBuiltInRepoSyncEnabled = false
    var DeleteUnreleasedPackagesAfterDays = 0
    var PackageAcquisitionLocationOptions = ["Server", "ExecutionTarget"]
    var Links: [String: String] = [
        "Self": "\(OctopusSpace.home)/feeds/\(OctopusCompatibility.builtInFeedId)",
        "SearchPackageVersionsTemplate":
            "\(OctopusSpace.home)/feeds/\(OctopusCompatibility.builtInFeedId)/packages/versions{?packageId,take,skip,includePreRelease,versionRange,preReleaseTag,filter}",
    ]
}

/// A package version of the built-in feed (`PackageFromBuiltInFeedResource`): what a push answers, what the
/// package and version lists hold.
struct OctopusPackageResource: Encodable, Sendable {
    var Id: String
    var PackageId: String
    var NuGetPackageId: String
    var NuGetFeedId = OctopusCompatibility.builtInFeedId
    var FeedId = OctopusCompatibility.builtInFeedId
    var Version: String
    var Title: String
    var Summary = ""
    var Description = ""
    var ReleaseNotes = ""
    var Published: Date
    var PackageSizeBytes: Int64
    var SizeBytes: Int64
    var Hash: String
    var FileExtension: String
    var Links: [String: String]

    init(_ record: VersionRecord, display: String) {
        Id = "packages-\(display).\(record.version)"
        PackageId = display
        NuGetPackageId = display
        Version = record.version
        Title = display
        Published = record.publishedAt
        PackageSizeBytes = record.size
        SizeBytes = record.size
        Hash = record.sha1
        FileExtension = (try? PackageFilename(record.filename).fileExtension) ?? ""
        let path = "\(OctopusSpace.home)/packages/\(OctopusQuery.escape(Id))"
        Links = ["Self": path, "Raw": "\(path)/raw"]
    }
}

/// The versions Octopus clients check, in one place.
enum OctopusCompatibility {
    /// octo refuses a root document outside 3.0.0–3.0.99 (`ApiConstants.SupportedApiSchemaVersionMin/Max`).
    static let apiVersion = "3.0.0"
    /// The Octopus Server release whose built-in feed API BackupFeed answers as: clients compare `Version` with
    /// the minimum a call needs (`ServerVersionCheck`), so it names a release that has every call they make here.
    static let serverVersion = "2024.1.0"
    static let builtInFeedId = "feeds-builtin"
}
