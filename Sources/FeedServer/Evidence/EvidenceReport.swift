import BackupVerifier
import Crypto
import Foundation
import PackageFeed

/// What an auditor asks for about a period: per package, every verification with its result and timings, the
/// pass rate, the last proven version at the end, the longest stretch without a proven backup, and the measured
/// restore time. Packages with no verification at all in the period come first: they are the finding.
public struct EvidenceReport: Codable, Sendable {
    public struct Verification: Codable, Sendable {
        public var verificationId: Int64
        public var version: String
        public var verdict: String
        public var reason: String
        public var engine: String?
        public var engineVersion: String?
        public var durationSeconds: Double?
        public var restoreSeconds: Double?
        public var finishedAt: Date
        /// SHA-256 of the signed receipt as served (`GET /api/verifications/{id}/receipt`); nil until it is signed.
        public var receiptSHA256: String?
    }

    public struct Package: Codable, Sendable {
        public var packageId: String
        public var verifications: [Verification]
        public var passed: Int
        public var failed: Int
        public var errors: Int
        /// Passed runs / all runs; nil when nothing ran.
        public var passRate: Double?
        /// The newest version whose verification had passed by the end of the period.
        public var lastProvenVersion: String?
        public var lastProvenAt: Date?
        /// The longest time within the period without a passed verification, in hours: between the period's start
        /// (or the package's creation, if later), each pass in it, and the period's end.
        public var longestGapHours: Double
        public var restoreSecondsMedian: Double?
        public var restoreSecondsMax: Double?
        public var untested: Bool
    }

    public var from: Date
    public var to: Date
    public var generatedAt: Date
    public var packages: [Package]

    /// Builds the report from the catalog.
    static func make(catalog: Catalog, from: Date, to: Date, packageKey: String?) async throws -> EvidenceReport {
        let runs = try await catalog.finishedJobs(from: from, to: to, packageKey: packageKey)
        let provenAtEnd = try await catalog.lastPassed(atOrBefore: to)
        var packages = try await catalog.allPackages()
        if let packageKey { packages = packages.filter { $0.key == packageKey } }
        let byPackage = Dictionary(grouping: runs, by: \.version.packageKey)
        var result: [Package] = []
        for package in packages {
            let mine = byPackage[package.key] ?? []
            var verifications: [Verification] = []
            for (job, version) in mine {
                let report = job.report.flatMap { try? JSONDecoder.reports.decode(VerificationReport.self, from: Data($0.utf8)) }
                let receipt = try await catalog.receipt(verificationId: job.id ?? 0)
                verifications.append(Verification(
                    verificationId: job.id ?? 0, version: version.version, verdict: job.status, reason: job.summary ?? "",
                    engine: report?.engine?.name, engineVersion: report?.engine?.version, durationSeconds: report?.totalSeconds,
                    restoreSeconds: report?.timings.first { $0.stage == "restore" }?.seconds, finishedAt: job.finishedAt ?? to,
                    receiptSHA256: receipt.map { SHA256.hash(data: Data($0.envelope.utf8)).map { String(format: "%02x", $0) }.joined() }))
            }
            let passedRuns = verifications.filter { $0.verdict == "passed" }
            let restoreTimes = passedRuns.compactMap(\.restoreSeconds).sorted()
            let marks = [max(from, package.createdAt)] + passedRuns.map(\.finishedAt) + [to]
            let gap = zip(marks, marks.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? 0
            let proven = provenAtEnd[package.key]
            result.append(Package(
                packageId: package.display, verifications: verifications, passed: passedRuns.count,
                failed: verifications.filter { $0.verdict == "failed" }.count, errors: verifications.filter { $0.verdict == "error" }.count,
                passRate: verifications.isEmpty ? nil : Double(passedRuns.count) / Double(verifications.count),
                lastProvenVersion: proven?.version.version, lastProvenAt: proven?.job.finishedAt,
                longestGapHours: max(0, gap) / 3600, restoreSecondsMedian: Self.median(restoreTimes), restoreSecondsMax: restoreTimes.last,
                untested: verifications.isEmpty))
        }
        result.sort { ($0.untested ? 0 : 1, $0.packageId.lowercased()) < ($1.untested ? 0 : 1, $1.packageId.lowercased()) }
        return EvidenceReport(from: from, to: to, generatedAt: Date(), packages: result)
    }

    static func median(_ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// One row per verification, and one row for each package that had none (verdict `untested`).
    public func csv() -> String {
        let iso = ISO8601DateFormatter()
        var lines = ["package,version,verification_id,verdict,reason,engine,engine_version,duration_seconds,restore_seconds,finished_at,receipt_sha256,package_pass_rate,last_proven_version,longest_gap_hours"]
        func field(_ text: String?) -> String {
            guard let text else { return "" }
            // RFC 4180 quoting; a leading =, +, - or @ would make a spreadsheet evaluate the cell.
            let safe = text.first.map { "=+-@".contains($0) } == true ? "'" + text : text
            return safe.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : safe
        }
        func number(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "" }
        for package in packages {
            let common = [number(package.passRate), field(package.lastProvenVersion), number(package.longestGapHours)]
            if package.verifications.isEmpty {
                lines.append(([field(package.packageId), "", "", "untested", "no verification in the period", "", "", "", "", "", ""] + common).joined(separator: ","))
            }
            for run in package.verifications {
                lines.append(([
                    field(package.packageId), field(run.version), String(run.verificationId), run.verdict, field(run.reason), field(run.engine),
                    field(run.engineVersion), number(run.durationSeconds), number(run.restoreSeconds), iso.string(from: run.finishedAt),
                    run.receiptSHA256 ?? "",
                ] + common).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
