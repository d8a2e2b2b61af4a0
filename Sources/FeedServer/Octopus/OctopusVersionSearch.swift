import Foundation
import Hummingbird
import PackageFeed

/// The filters of `…/feeds/feeds-builtin/packages/versions`, read from the query once and applied per version.
struct OctopusVersionSearch {
    var range: NuGetVersionRange?
    var includePrerelease: Bool
    /// A regular expression over the prerelease label (`rc.1`; empty for a release), as in Octopus channel rules:
    /// `^$` keeps releases only.
    var prereleaseTag: NSRegularExpression?
    /// Part of the version text (`2022.06`), case-insensitive.
    var filter: String?
    /// The filters as sent, for the collection's page links.
    var query: [(String, String)] = []

    init(_ request: Request) throws {
        includePrerelease = try request.boolParameter("includePreRelease") ?? false
        if includePrerelease { query.append(("includePreRelease", "true")) }
        if let text = request.octopusParameter("versionRange") {
            range = try NuGetVersionRange(text)
            query.append(("versionRange", text))
        }
        if let tag = request.octopusParameter("preReleaseTag") {
            do {
                prereleaseTag = try NSRegularExpression(pattern: tag)
            } catch {
                throw APIError(status: .badRequest, message: "preReleaseTag '\(IdentityError.printable(tag))' is not a valid regular expression")
            }
            query.append(("preReleaseTag", tag))
        }
        if let filter = request.octopusParameter("filter") {
            self.filter = filter.lowercased()
            query.append(("filter", filter))
        }
    }

    func matches(_ record: VersionRecord) -> Bool {
        guard let version = record.parsedVersion else { return false }
        if let range, !range.contains(version) { return false }
        // NuGet's rule: prereleases match when asked for, when a bound of the range is one, or when a tag selects them.
        if version.isPrerelease, !includePrerelease, range?.mentionsPrerelease != true, prereleaseTag == nil { return false }
        if let prereleaseTag {
            let label = version.prerelease.joined(separator: ".")
            let whole = NSRange(label.startIndex..., in: label)
            if prereleaseTag.firstMatch(in: label, range: whole) == nil { return false }
        }
        if let filter, !record.version.lowercased().contains(filter) { return false }
        return true
    }
}
