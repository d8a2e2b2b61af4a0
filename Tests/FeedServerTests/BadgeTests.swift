import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PackageFeed
import Testing

@Suite struct BadgeTests {
    @Test func badgeDrawsTheNewestVersionsVerdict() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let catalog = try PackageFeed(dataDirectory: feed.dataDirectory, logger: Logger(label: "test")).catalog
        try await feed.app().test(.router) { client in
            let unknown = try await client.execute(uri: "/badge/Nobody.svg", method: .get)
            #expect(unknown.headers[.contentType]?.hasPrefix("image/svg+xml") == true)
            #expect(unknown.text.contains("unverified"))

            _ = try await client.execute(uri: "/api/packages/Badged/1.0", method: .put, headers: .key(feed.pushKey), body: ByteBuffer(string: "a"))
            #expect(try await client.execute(uri: "/badge/Badged.svg", method: .get).text.contains("verifying"))
            let first = try #require(try await catalog.claimNextJob())
            try await catalog.finishJob(id: first.id!, status: "passed", summary: "ok", report: nil)
            let passed = try await client.execute(uri: "/badge/Badged.svg", method: .get)
            #expect(passed.text.contains("verified just now"))
            #expect(passed.text.contains("#2e7d32"))

            _ = try await client.execute(uri: "/api/packages/Badged/2.0", method: .put, headers: .key(feed.pushKey), body: ByteBuffer(string: "b"))
            let second = try #require(try await catalog.claimNextJob())
            try await catalog.finishJob(id: second.id!, status: "failed", summary: "owners has 0 rows", report: nil)
            let failed = try await client.execute(uri: "/badge/Badged.svg", method: .get)
            #expect(failed.text.contains(">failed<"))
            #expect(try await client.execute(uri: "/badge/Badged.png", method: .get).status == .notFound)
        }
    }
}

@Suite struct PrivateBadgeTests {
    @Test func underPrivateABadgeNeedsAReadKeyAndAcceptsOne() async throws {
        let feed = try await TestFeed(privateMetadata: true)
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            #expect(try await client.execute(uri: "/badge/Db.svg", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/badge/Db.svg", method: .get, headers: .key("API-NOTAKEY")).status == .unauthorized)
            for key in [feed.readKey, feed.pushKey, TestFeed.adminKey] {
                let badge = try await client.execute(uri: "/badge/Db.svg", method: .get, headers: .key(key))
                #expect(badge.status == .ok)
                #expect(badge.text.contains("unverified"))
            }
            let bearer = try await client.execute(uri: "/badge/Db.svg", method: .get, headers: [.authorization: "Bearer \(feed.readKey)"])
            #expect(bearer.status == .ok)
        }
    }
}
