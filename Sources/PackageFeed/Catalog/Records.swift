import Foundation
import GRDB

/// A package: its case-folded key and the display name it was first pushed with.
public struct PackageRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "package"
    public var key: String
    public var display: String
    public var createdAt: Date
}

/// One stored version of a package and the blob that holds it.
public struct VersionRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "packageVersion"
    public var id: Int64?
    public var packageKey: String
    public var versionKey: String
    public var version: String
    public var isPrerelease: Bool
    public var sha256: String
    public var sha1: String
    public var size: Int64
    public var filename: String
    public var publishedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The parsed version; stored text always parses because it was validated on push.
    public var parsedVersion: PackageVersion? { try? PackageVersion(version) }
}

/// A verification run of one version: queued → running → passed | failed | error.
public struct VerificationJobRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "verificationJob"
    public var id: Int64?
    public var versionId: Int64
    public var status: String
    public var queuedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var summary: String?
    /// The full report as JSON, written when the run ends.
    public var report: String?
    public var attempts: Int

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public static func queued(versionId: Int64, at date: Date = Date()) -> VerificationJobRecord {
        VerificationJobRecord(id: nil, versionId: versionId, status: "queued", queuedAt: date, attempts: 0)
    }
}

/// An API key: only its SHA-256 is stored.
public struct APIKeyRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "apiKey"
    public var id: Int64?
    public var name: String
    public var scope: String
    public var keyHash: String
    public var createdAt: Date
    public var lastUsedAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A package's verification policy, kept as the JSON the admin sent (normalised).
public struct PolicyRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "policy"
    public var packageKey: String
    public var json: String
    public var updatedAt: Date
}
