import Foundation
import HTTPTypes

/// BackupFeed's one Octopus space. Octopus clients resolve a space by name before they push, so the name is
/// configurable (`--space-name`); the ID is fixed.
struct OctopusSpace: Sendable {
    static let id = "Spaces-1"
    static let home = "/api/\(id)"
    let name: String

    var resource: OctopusSpaceResource {
        OctopusSpaceResource(
            Id: Self.id, Name: name, Slug: Self.slug(name), Description: "BackupFeed's built-in feed", IsDefault: true,
            Links: ["Self": "/api/spaces/\(Self.id)", "SpaceHome": Self.home]
        )
    }

    /// Checks the `Spaces-{n}` segment of a space-scoped route; the router only sends segments that start with `Spaces-`.
    func requireKnown(number: String?) throws {
        let segment = "Spaces-\(number ?? "")"
        guard segment == Self.id else { throw unknown(segment) }
    }

    /// 404 that names the spaces there are, so that a typo in a script's space ID explains itself.
    func unknown(_ segment: String) -> APIError {
        APIError(
            status: .notFound,
            message: "there is no space '\(segment)'; this server has one space: \(Self.id) (\(name))",
            detail: "use /api/\(Self.id)/… or look spaces up with GET /api/spaces"
        )
    }

    private static func slug(_ name: String) -> String {
        let lowered = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(lowered).split(separator: "-").joined(separator: "-")
    }
}
