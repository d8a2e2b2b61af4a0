import Foundation
import Testing

@testable import FeedServer
@testable import PackageFeed

/// The retention rules on their own: which versions go, which stay, and why.
@Suite struct RetentionPlannerTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Versions 1.0.1 … 1.0.n published one day apart (the newest today), each with a verdict or none.
    static func versions(_ verdicts: [String?]) -> [(version: VersionRecord, verdict: VerificationJobRecord?)] {
        verdicts.enumerated().map { index, verdict in
            let age = Double(verdicts.count - 1 - index) * 86400
            let record = VersionRecord(
                id: Int64(index + 1), packageKey: "db", versionKey: "1.0.\(index + 1)", version: "1.0.\(index + 1)", isPrerelease: false,
                sha256: String(repeating: "\(index % 10)", count: 64), sha1: String(repeating: "0", count: 40), size: 100,
                filename: "Db.1.0.\(index + 1).zip", publishedAt: now.addingTimeInterval(-age))
            var job = VerificationJobRecord.queued(versionId: Int64(index + 1))
            if let verdict { job.status = verdict }
            return (record, verdict.map { _ in job })
        }
    }

    static func deleted(_ plan: RetentionPlanner.Plan) -> [String] { plan.delete.map(\.version.version).sorted() }

    @Test func keepLastKeepsTheNewestN() {
        let plan = RetentionPlanner(policy: RetentionPolicy(keepLast: 2), now: Self.now).plan(Self.versions(Array(repeating: "passed", count: 5)))
        #expect(Self.deleted(plan) == ["1.0.1", "1.0.2", "1.0.3"])
        #expect(plan.delete.allSatisfy { $0.reason.contains("not among the newest 2") })
    }

    @Test func keepDaysKeepsWhatIsRecent() {
        let plan = RetentionPlanner(policy: RetentionPolicy(keepDays: 2.5), now: Self.now).plan(Self.versions(Array(repeating: "passed", count: 5)))
        #expect(Self.deleted(plan) == ["1.0.1", "1.0.2"])
        #expect(plan.delete.first?.reason.contains("more than 2.5") == true)
    }

    @Test func bothKeepWhatEitherKeeps() {
        let policy = RetentionPolicy(keepLast: 1, keepDays: 1.5)
        #expect(Self.deleted(RetentionPlanner(policy: policy, now: Self.now).plan(Self.versions(Array(repeating: "passed", count: 4)))) == ["1.0.1", "1.0.2"])
        let byCount = RetentionPolicy(keepLast: 3, keepDays: 0)
        #expect(Self.deleted(RetentionPlanner(policy: byCount, now: Self.now).plan(Self.versions(Array(repeating: "passed", count: 4)))) == ["1.0.1"])
    }

    /// The three newest failed or are waiting: the newest passed one (1.0.2) and everything above it stay,
    /// whatever keepLast says.
    @Test func neverDeletesTheNewestPassedVersionNorAnythingNewer() {
        let plan = RetentionPlanner(policy: RetentionPolicy(keepLast: 1), now: Self.now)
            .plan(Self.versions(["passed", "passed", "failed", "error", nil]))
        #expect(Self.deleted(plan) == ["1.0.1"])
    }

    @Test func packageWithoutAnyPassedVersionLosesNothing() {
        let plan = RetentionPlanner(policy: RetentionPolicy(keepLast: 1), now: Self.now).plan(Self.versions(["failed", "failed", nil]))
        #expect(plan.delete.isEmpty)
        #expect(plan.heldBack?.contains("no version has passed") == true)
    }

    /// Versions sort by version, not by push time: a late push of an old version is still old.
    @Test func orderIsByVersionNotByPublishTime() {
        var versions = Self.versions(["passed", "passed", "passed"])
        versions[0].version.publishedAt = Self.now
        let plan = RetentionPlanner(policy: RetentionPolicy(keepLast: 2), now: Self.now).plan(versions)
        #expect(Self.deleted(plan) == ["1.0.1"])
    }
}
