import Foundation
import Testing

/// The period evidence report over HTTP, on real verifications: JSON and CSV agree, untested packages come first,
/// the pass rate, last proven version, gap and restore times are computed from the runs.
@Suite struct EvidenceReportTests {
    @Test func aPeriodReportListsEveryRunAndPutsUntestedPackagesFirst() async throws {
        try await Verification.withFeed { _, client in
            let good = try Verification.zip(file: Verification.petclinic("petclinic.sqlite.sql"))
            defer { Verification.discard(good) }
            let bad = try Verification.zip(Data("CREATE TABLE t (a);\nINSERT INTO t VALUES (1".utf8))
            defer { Verification.discard(bad) }
            try await client.push(good, id: "Proven", version: "1.0.0")
            #expect(try await client.waitForVerdict("Proven", "1.0.0").status == "passed")
            try await client.push(bad, id: "Proven", version: "1.0.1")
            #expect(try await client.waitForVerdict("Proven", "1.0.1").status != "passed")
            // A package whose only version had verification turned off: no test in the period.
            #expect(try await client.setPolicy("Forgotten", #"{"enabled": false}"#).status == 200)
            try await client.push(good, id: "Forgotten", version: "1.0.0")
            let receipt = try await client.get("/api/verifications/\(try #require(try await client.verification("Proven", "1.0.0")?["id"] as? Int))/receipt")

            let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))
            let to = ISO8601DateFormatter().string(from: Date().addingTimeInterval(60))
            let reply = try await client.get("/api/reports/evidence?from=\(from)&to=\(to)")
            #expect(reply.status == 200, "\(reply.body)")
            let packages = try #require(reply.json["packages"] as? [[String: Any]])
            #expect(packages.map { $0["packageId"] as? String } == ["Forgotten", "Proven"], "untested first: \(reply.body)")
            #expect(packages[0]["untested"] as? Bool == true)
            let proven = packages[1]
            #expect((proven["verifications"] as? [[String: Any]])?.count == 2)
            #expect(proven["passed"] as? Int == 1 && proven["passRate"] as? Double == 0.5, "\(proven)")
            #expect(proven["lastProvenVersion"] as? String == "1.0.0")
            #expect((proven["restoreSecondsMax"] as? Double ?? -1) >= 0)
            // Created within the period: the longest stretch without a pass is from the pass to the period's end (a minute).
            let gap = proven["longestGapHours"] as? Double ?? 0
            #expect(gap > 0.01 && gap < 0.1, "\(proven)")
            let runs = proven["verifications"] as? [[String: Any]] ?? []
            #expect(runs.first?["engine"] as? String == "sqlite")
            let digest = runs.first?["receiptSHA256"] as? String
            #expect(digest?.count == 64)
            #expect(digest == sha256Hex(receipt.body), "the digest is of the receipt as served")

            let csv = try await client.get("/api/reports/evidence?from=\(from)&to=\(to)&format=csv")
            #expect(csv.status == 200)
            #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
            let lines = csv.body.split(separator: "\r\n")
            #expect(lines.first?.hasPrefix("package,version,verification_id,verdict") == true)
            #expect(lines.count == 1 + 1 + 2, "\(csv.body)")
            #expect(lines[1].hasPrefix("Forgotten,,,untested"))
            #expect(lines.contains { $0.hasPrefix("Proven,1.0.0,") && $0.contains(",passed,") })

            let one = try await client.get("/api/reports/evidence?from=\(from)&to=\(to)&package=proven")
            #expect((one.json["packages"] as? [[String: Any]])?.count == 1)
            // Outside the period: nothing ran, everything untested.
            let old = try await client.get("/api/reports/evidence?from=2020-01-01&to=2020-02-01")
            #expect((old.json["packages"] as? [[String: Any]])?.allSatisfy { $0["untested"] as? Bool == true } == true)
        }
    }

    @Test(arguments: ["from=yesterday", "from=2026-13-01", "from=2026-02-01&to=2026-01-01", "format=pdf", "package=nope", "from=1900-01-01"])
    func badQueriesAreClearFourHundreds(query: String) async throws {
        try await Verification.withFeed { _, client in
            let reply = try await client.get("/api/reports/evidence?\(query)")
            #expect([400, 404].contains(reply.status), "\(query): \(reply.status) \(reply.body)")
            #expect(reply.json["error"] is String)
        }
    }
}

import Crypto

func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}
