import BackupVerifier
import Foundation

/// The part of a package's policy that is about running the feed rather than about one verification:
/// how old the newest proven backup may get, how often it is proven again, and how many versions are kept.
/// Every field is optional; a missing one turns its feature off for the package.
public struct OperationsPolicy: Codable, Sendable, Equatable {
    /// The package is `stale` when its newest passed verification is older than this.
    public var maxAgeHours: Double?
    /// The newest passed version is verified again when its last run is older than this.
    public var reverifyDays: Double?
    public var retention: RetentionPolicy?
    /// The package is `overdue` when no new version arrived for this long (`26h`, `90m`, `7d`).
    public var expectEvery: String?

    public init(maxAgeHours: Double? = nil, reverifyDays: Double? = nil, retention: RetentionPolicy? = nil, expectEvery: String? = nil) {
        self.maxAgeHours = maxAgeHours
        self.reverifyDays = reverifyDays
        self.retention = retention
        self.expectEvery = expectEvery
    }

    /// Ten years: anything longer is a typo (hours given as seconds), not a policy.
    static let maxHours = 10 * 365 * 24.0

    public func validate() throws(PolicyValidationError) {
        if let maxAgeHours, !(maxAgeHours > 0 && maxAgeHours <= Self.maxHours) {
            throw .init(field: "maxAgeHours", message: "must be a number of hours above 0 and at most \(Int(Self.maxHours))")
        }
        if let reverifyDays, !(reverifyDays > 0 && reverifyDays * 24 <= Self.maxHours) {
            throw .init(field: "reverifyDays", message: "must be a number of days above 0 and at most \(Int(Self.maxHours / 24))")
        }
        try retention?.validate()
        if let expectEvery {
            guard let seconds = ExpectEvery.seconds(expectEvery), seconds <= Self.maxHours * 3600 else {
                throw .init(field: "expectEvery", message: "must be a duration such as 26h, 90m or 7d (at most \(Int(Self.maxHours / 24))d), got \(expectEvery)")
            }
        }
    }
}

/// Which versions retention keeps: the newest `keepLast`, and every version published in the last `keepDays`.
/// A version goes only when neither keeps it, and never the newest passed version or anything newer.
public struct RetentionPolicy: Codable, Sendable, Equatable {
    public var keepLast: Int?
    public var keepDays: Double?

    public init(keepLast: Int? = nil, keepDays: Double? = nil) {
        self.keepLast = keepLast
        self.keepDays = keepDays
    }

    public func validate() throws(PolicyValidationError) {
        if keepLast == nil, keepDays == nil {
            throw .init(field: "retention", message: "needs keepLast, keepDays or both (omit retention to keep every version)")
        }
        if let keepLast, keepLast < 1 {
            throw .init(field: "retention.keepLast", message: "must be at least 1")
        }
        if let keepDays, !(keepDays >= 0 && keepDays * 24 <= OperationsPolicy.maxHours) {
            throw .init(field: "retention.keepDays", message: "must be a number of days from 0 to \(Int(OperationsPolicy.maxHours / 24))")
        }
    }
}

/// A package's whole policy as stored and as `GET/PUT /api/packages/{id}/policy` show it: one flat JSON object
/// holding the verification fields and the operations fields side by side.
public struct PackagePolicy: Codable, Sendable, Equatable {
    public var verification: VerificationPolicy
    public var operations: OperationsPolicy

    public init(verification: VerificationPolicy = .default, operations: OperationsPolicy = OperationsPolicy()) {
        self.verification = verification
        self.operations = operations
    }

    public init(from decoder: any Decoder) throws {
        verification = try VerificationPolicy(from: decoder)
        operations = try OperationsPolicy(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try verification.encode(to: encoder)
        try operations.encode(to: encoder)
    }
}
