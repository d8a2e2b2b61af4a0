import Foundation
import PackageFeed

/// The latest verification run of a version, as shown in lists and metadata.
struct VerificationSummaryResponse: Codable, Sendable {
    var id: Int64
    var status: String
    var queuedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var summary: String?

    init(_ job: VerificationJobRecord) {
        id = job.id ?? 0
        status = job.status
        queuedAt = job.queuedAt
        startedAt = job.startedAt
        finishedAt = job.finishedAt
        summary = job.summary
    }
}

/// One version, native API shape (camelCase).
struct VersionResponse: Codable, Sendable {
    var packageId: String
    var version: String
    var isPrerelease: Bool
    var size: Int64
    var sha256: String
    var sha1: String
    var published: Date
    var filename: String
    var downloadUrl: String
    var verification: VerificationSummaryResponse?

    init(_ record: VersionRecord, display: String, verification: VerificationJobRecord?) {
        packageId = display
        version = record.version
        isPrerelease = record.isPrerelease
        size = record.size
        sha256 = record.sha256
        sha1 = record.sha1
        published = record.publishedAt
        filename = record.filename
        downloadUrl = "/api/packages/\(display)/\(record.version)/download"
        self.verification = verification.map(VerificationSummaryResponse.init)
    }
}

/// A page of items with the total count.
struct PageResponse<Item: Codable & Sendable>: Codable, Sendable {
    var items: [Item]
    var total: Int
    var skip: Int
    var take: Int
}

/// One package in the package list.
struct PackageSummaryResponse: Codable, Sendable {
    var packageId: String
    var latestVersion: String?
    var versionCount: Int
    var totalSize: Int64
    var latestVerification: VerificationSummaryResponse?
    /// When a version of this package last passed verification.
    var lastVerifiedAt: Date?
    /// True when the policy's `maxAgeHours` passed since the last passed verification (false without that field).
    var stale: Bool
    /// Present when the package's policy sets `maxAgeHours`.
    var freshness: Freshness?
    /// True when no new version arrived within the policy's `expectEvery` (false without that field).
    var overdue: Bool = false
    /// Present when the package's policy sets `expectEvery`.
    var arrival: Arrival? = nil
}

/// `GET /api/packages/{id}/freshness`.
struct PackageFreshnessResponse: Codable, Sendable {
    var packageId: String
    var stale: Bool
    var lastVerifiedAt: Date?
    /// Present when the package's policy sets `maxAgeHours`.
    var freshness: Freshness?
    var overdue: Bool = false
    /// Present when the package's policy sets `expectEvery`.
    var arrival: Arrival? = nil
}
