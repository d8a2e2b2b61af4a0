import Foundation
import PackageFeed

/// Decides which versions of one package retention removes. Pure: the versions, their verdicts, the policy
/// and the time in; the decision out, so that the rules are tested without a server.
///
/// Rules, in order:
/// 1. The newest version whose latest finished verification passed, and every version above it, always stay:
///    a restore must always find a proven backup, and a newer one still waiting for its verdict may be next.
/// 2. Below it, a version stays when it is among the newest `keepLast` or was published within `keepDays`.
/// 3. A package without any passed version loses nothing: deleting unproven backups could delete the last good one.
struct RetentionPlanner {
    struct Candidate: Sendable {
        var version: VersionRecord
        var parsed: PackageVersion
        var passed: Bool
    }

    struct Plan: Sendable {
        var delete: [(version: VersionRecord, reason: String)]
        /// Why nothing was deleted, when retention had to hold back.
        var heldBack: String?
    }

    let policy: RetentionPolicy
    let now: Date

    func plan(_ versions: [(version: VersionRecord, verdict: VerificationJobRecord?)]) -> Plan {
        let ordered = versions
            .compactMap { entry in entry.version.parsedVersion.map { Candidate(version: entry.version, parsed: $0, passed: entry.verdict?.status == "passed") } }
            .sorted { $0.parsed > $1.parsed }
        guard let newestPassed = ordered.firstIndex(where: \.passed) else {
            return Plan(delete: [], heldBack: ordered.isEmpty ? nil : "no version has passed verification yet; nothing is deleted")
        }
        var delete: [(VersionRecord, String)] = []
        for (index, candidate) in ordered.enumerated() where index > newestPassed {
            let keptByCount = policy.keepLast.map { index < $0 } ?? false
            let ageDays = now.timeIntervalSince(candidate.version.publishedAt) / 86400
            let keptByAge = policy.keepDays.map { ageDays <= $0 } ?? false
            if keptByCount || keptByAge { continue }
            delete.append((candidate.version, reason(ageDays: ageDays)))
        }
        return Plan(delete: delete, heldBack: nil)
    }

    private func reason(ageDays: Double) -> String {
        var parts: [String] = []
        if let keepLast = policy.keepLast { parts.append("not among the newest \(keepLast)") }
        if let keepDays = policy.keepDays {
            parts.append("published \(Self.format(ageDays)) days ago, more than \(Self.format(keepDays))")
        }
        return parts.joined(separator: " and ")
    }

    static func format(_ days: Double) -> String {
        days == days.rounded() ? String(Int(days)) : String(format: "%.1f", days)
    }
}
