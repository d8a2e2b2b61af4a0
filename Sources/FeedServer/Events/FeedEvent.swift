import BackupVerifier
import Foundation
import PackageFeed

/// Something that happened in the feed that other parts react to: webhooks deliver it, metrics count it,
/// the verification workers wake up for it. Each carries what a listener needs without another catalog read.
public enum FeedEvent: Sendable {
    /// A push stored a version (created or replaced; an ignored or unchanged push is not an event).
    case versionPushed(PushedVersion)
    /// A verification run reached a verdict (never sent for a run stopped by shutdown: that one is requeued).
    case verificationFinished(FinishedVerification)
    /// A package's newest passed verification became older than its policy's `maxAgeHours`.
    case packageStale(StalePackage)
    /// No new version of a package arrived within its policy's `expectEvery`.
    case packageOverdue(OverduePackage)

    public struct PushedVersion: Sendable, Equatable {
        public var packageId: String
        public var version: String
        public var size: Int64
        public var sha256: String
        public var replaced: Bool
    }

    public struct FinishedVerification: Sendable {
        public var packageId: String
        public var version: String
        public var verificationId: Int64
        public var report: VerificationReport
        public var finishedAt: Date
        /// What was verified: the stored file's name and SHA-256.
        public var filename: String = ""
        public var sha256: String = ""
        public var startedAt: Date? = nil
        /// The version of the last passed run the tables were compared with, if any.
        public var comparedWith: String? = nil
        /// Who ran it ("in-process" for the server's own verifier).
        public var worker: String = "in-process"
    }

    public struct OverduePackage: Sendable, Equatable {
        public var packageId: String
        /// When the newest version was published; nil when none ever arrived.
        public var lastArrivalAt: Date?
        public var expectEvery: String
    }

    public struct StalePackage: Sendable, Equatable {
        public var packageId: String
        /// When the newest passed verification finished; nil when the package never had one.
        public var lastVerifiedAt: Date?
        public var maxAgeHours: Double
    }
}
