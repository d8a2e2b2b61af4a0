import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FeedServer

/// A `.sql.gz` pushed the way a cron job does (`sqlite3 db .dump | gzip`, then
/// `curl -F file=@PetClinicDB.2022.06.20.sql.gz`), over a real socket with the real curl: accepted under its
/// compound extension, verified through the gzip layer, downloaded byte for byte under the same name.
@Suite struct CompressedPushTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/decoders/shop.sqlite.sql.gz")

    static func withLiveFeed(_ body: @escaping @Sendable (TestFeed, FeedClient, String) async throws -> Void) async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        var configuration = feed.configuration
        configuration.sandboxDirectory = Verification.sharedSandbox
        configuration.runVerifications = true
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            try await body(feed, FeedClient(baseURL: base, pushKey: feed.pushKey, readKey: feed.readKey, adminKey: TestFeed.adminKey), base)
        }
    }

    @Test func sqlGzIsPushedVerifiedAndDownloadedUnderItsName() async throws {
        try await Self.withLiveFeed { _, feed, base in
            try await feed.push(Self.fixture, id: "PetClinicDB", version: "2022.06.20", ext: ".sql.gz")
            let verdict = try await feed.waitForVerdict("PetClinicDB", "2022.06.20")
            #expect(verdict.status == "passed", "\(verdict)")
            let report = try #require(try await feed.reports("PetClinicDB", "2022.06.20").first)
            #expect(report["layers"] as? [String] == ["gzip"], "\(report)")
            #expect(report.rows("orders") == 20 && report.rows("customers") == 3, "\(report)")

            let target = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UUID().uuidString)")
            let headers = FileManager.default.temporaryDirectory.appendingPathComponent("hdr-\(UUID().uuidString)")
            defer {
                try? FileManager.default.removeItem(at: target)
                try? FileManager.default.removeItem(at: headers)
            }
            let download = try await Curl.run([
                "-H", "X-Octopus-ApiKey: \(feed.readKey)", "-o", target.path, "-D", headers.path,
                "\(base)/api/packages/PetClinicDB/2022.06.20/download",
            ])
            #expect(download.status == 200)
            #expect(try Data(contentsOf: target) == Data(contentsOf: Self.fixture))
            let head = try String(contentsOf: headers, encoding: .utf8).lowercased()
            #expect(head.contains("content-disposition: attachment; filename=\"petclinicdb.2022.06.20.sql.gz\""), "\(head)")
            #expect(head.contains("content-type: application/gzip"), "\(head)")
        }
    }

    @Test func unknownExtensionIsAClear400() async throws {
        try await Self.withLiveFeed { _, feed, base in
            let result = try await Curl.run([
                "-F", "file=@\(Self.fixture.path);filename=PetClinicDB.2022.06.20.sql.rar", "-H", "X-Octopus-ApiKey: \(feed.pushKey)",
                "\(base)/api/packages/raw",
            ])
            #expect(result.status == 400, "\(result.body)")
            #expect(result.body.contains("unknown extension .sql.rar"), "\(result.body)")
        }
    }
}
