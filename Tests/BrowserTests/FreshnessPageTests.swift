import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A package whose newest passed verification is older than its policy's `maxAgeHours` says "stale" in the list
/// and warns on its own page; a fresh one does neither.
@Suite struct FreshnessPageTests {
    @Test func stalePackageIsMarkedOnTheListAndWarnedAboutOnItsPage() async throws {
        try await UIFeed().serve { site in
            for id in ["old-db", "new-db"] {
                try await site.push(id, "1.0.0")
                _ = try await site.finishRun(id, "1.0.0", report: Fixtures.passed)
            }
            // 0.0003 h ≈ 1 s for old-db; a day for new-db.
            for (id, hours) in [("old-db", "0.0003"), ("new-db", "24")] {
                let response = try await site.client.execute(
                    uri: "/api/packages/\(id)/policy", method: .put, headers: [.init("X-Octopus-ApiKey")!: UIFeed.adminKey],
                    body: ByteBuffer(string: #"{"maxAgeHours": \#(hours)}"#))
                #expect(response.status == .ok)
            }
            try await Task.sleep(for: .seconds(2))

            let home = try await site.open("/")
            let old = try #require(home.row(containing: "old-db"), "\(home.text)")
            #expect(old.contains("stale"), "\(old)")
            let new = try #require(home.row(containing: "new-db"))
            #expect(!new.contains("stale"), "\(new)")

            let page = try await site.open("/packages/old-db")
            #expect(page.text.contains("No backup of this package passed verification in the last 0.0003 hours"), "\(page.text)")
            let fresh = try await site.open("/packages/new-db")
            #expect(!fresh.text.contains("No backup of this package passed verification"))
        }
    }
}
