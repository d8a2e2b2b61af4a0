import Foundation

/// The parts of the feed's JSON that the command-line client reads (native API, camelCase); unknown fields are ignored
/// so that a newer server still works with this client.
struct FeedVersion: Decodable, Sendable {
    var packageId: String
    var version: String
    var size: Int64
    var sha256: String
    var filename: String
}

/// One verification run from `GET /api/packages/{id}/{version}/verifications`.
struct FeedVerificationRun: Decodable, Sendable {
    struct Check: Decodable, Sendable {
        var name: String
        var status: String
        var detail: String
    }

    var id: Int64
    /// queued, running, passed, failed or error.
    var status: String
    var summary: String?
    var checks: [Check]

    var isFinished: Bool { !["queued", "running"].contains(status) }
}

/// The one policy field `push --wait` needs.
struct FeedPolicy: Decodable, Sendable {
    var enabled: Bool?
}
