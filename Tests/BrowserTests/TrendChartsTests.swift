import BackupVerifier
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The package page draws restore time, size and rows per version as SVG charts of its own, with the failed run
/// and the drop past the policy's threshold marked; the trend API says the same in numbers.
@Suite struct TrendChartsTests {
    @Test func thePackagePageChartsTrendsAndMarksFailuresAndDrops() async throws {
        try await UIFeed().serve { site in
            var small = Fixtures.passed
            small.tables = [TableCount(name: "customers", rows: 1000)]
            let runs: [(String, VerificationReport, Int)] = [
                ("1.0.0", Fixtures.passed, 4096), ("1.0.1", Fixtures.passed, 4200), ("1.0.2", Fixtures.failed, 4300), ("1.0.3", small, 900),
            ]
            for (version, report, bytes) in runs {
                try await site.push("trend-db", version, bytes: bytes)
                _ = try await site.finishRun("trend-db", version, report: report)
            }
            let api = try await site.client.execute(uri: "/api/packages/trend-db/trend", method: .get)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: api.body).utf8)) as? [String: Any])
            let points = try #require(json["points"] as? [[String: Any]])
            #expect(points.map { $0["version"] as? String } == ["1.0.0", "1.0.1", "1.0.2", "1.0.3"], "oldest first")
            #expect(points[2]["verdict"] as? String == "failed")
            #expect(points[3]["sizeDrop"] as? Bool == true && points[3]["rowDrop"] as? Bool == true, "\(points[3])")
            #expect(points[1]["sizeDrop"] as? Bool == false)
            #expect(points[0]["restoreSeconds"] as? Double == 12.3 && points[0]["totalRows"] as? Int == 12400)

            let page = try await site.open("/packages/trend-db")
            #expect(page.html.components(separatedBy: "class=\"chart\"").count - 1 == 3, "three charts: \(page.main.prefix(2000))")
            #expect(page.html.contains("Restore time per version") && page.html.contains("Rows per version"))
            #expect(page.html.contains("chart-bad"), "the failed run and the drop are marked")
            #expect(page.html.contains("fewer rows by more than 50"), "the drop says why on hover")
        }
    }
}
