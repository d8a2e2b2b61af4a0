import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PackageFeed
import Testing

/// Query strings past their caps are the client's mistake (400 naming the parameter), never a 500; and a long
/// `filter` that gets through to the catalog cannot make SQLite fail either.
@Suite struct QueryLimitTests {
    @Test func oversizedParametersAre400NeverA500() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let hostile = [
                "/api/packages?filter=" + String(repeating: "a", count: 50_000),
                "/api/packages?filter=" + String(repeating: "%25", count: 3000),
                "/api/packages?filter=" + String(repeating: "a", count: 201),
                "/api/packages?skip=" + String(repeating: "9", count: 2000),
                "/api/packages?" + (0..<40).map { "p\($0)=1" }.joined(separator: "&"),
                "/api/packages?" + String(repeating: "n", count: 100) + "=1",
                "/api/packages/Db/versions?take=" + String(repeating: "1", count: 5000),
                "/api/feeds/feeds-builtin/packages/versions?packageId=" + String(repeating: "x", count: 101),
                "/badge/x.svg?" + String(repeating: "q", count: 5000),
                "/metrics?x=" + String(repeating: "y", count: 5000),
            ]
            for uri in hostile {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest, "\(uri.prefix(80))…: \(response.status) \(response.text.prefix(200))")
            }
            let long = try await client.execute(uri: "/api/packages?filter=" + String(repeating: "a", count: 50_000), method: .get)
            #expect(long.text.contains("query string is longer than 4096"), "\(long.text)")
            let filter = try await client.execute(uri: "/api/packages?filter=" + String(repeating: "a", count: 201), method: .get)
            #expect(filter.text.contains("filter must be at most 200 characters"), "\(filter.text)")
            #expect(try await client.execute(uri: "/api/packages?filter=" + String(repeating: "a", count: 200), method: .get).status == .ok)
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            // The Octopus routes refuse in their own error shape.
            let octopus = try await client.execute(uri: "/api/feeds/feeds-builtin/packages/versions?" + String(repeating: "n", count: 100) + "=1", method: .get)
            #expect(octopus.status == .badRequest)
            #expect(try octopus.json()["ErrorMessage"] as? String != nil, "\(octopus.text)")
        }
    }

    /// schemathesis found it: `skip=Int.max` with any `take` overflowed the next-page arithmetic and crashed the server.
    /// Every paged route answers a page (empty) for the largest skip a client can send.
    @Test func largestSkipIsAnEmptyPageNeverACrash() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            try await OctopusRoutesTests.push(client, feed, id: "Db", versions: ["1.0.0", "1.0.1"])
            let paged = [
                "/api/spaces", "/api/Spaces-1/feeds", "/api/Spaces-1/packages", "/api/packages",
                "/api/packages/Db/versions", "/api/feeds/feeds-builtin/packages/versions?packageId=Db&",
                "/api/Spaces-1/feeds/feeds-builtin/packages/versions?packageId=Db&",
            ]
            for path in paged {
                for take in ["1", "66084484065", String(Int.max)] {
                    let separator = path.contains("?") ? "" : "?"
                    let uri = "\(path)\(separator)skip=\(Int.max)&take=\(take)"
                    let response = try await client.execute(uri: uri, method: .get, headers: .key(feed.pushKey))
                    #expect(response.status == .ok, "\(uri): \(response.status) \(response.text.prefix(200))")
                }
            }
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }

    @Test func filterIsASubstringWithoutWildcards() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            for id in ["Foo_Bar", "FooXBar", "Foo-Bar", "Café_Db"] {
                let put = try await client.execute(
                    uri: "/api/packages/\(id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!)/1.0", method: .put,
                    headers: .key(feed.pushKey), body: ByteBuffer(string: id))
                #expect(put.status == .created, "\(id): \(put.text)")
            }
            func ids(_ filter: String) async throws -> [String] {
                let encoded = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let response = try await client.execute(uri: "/api/packages?filter=\(encoded)", method: .get)
                #expect(response.status == .ok)
                return (try response.json()["items"] as? [[String: Any]] ?? []).compactMap { $0["packageId"] as? String }
            }
            #expect(try await ids("o_b") == ["Foo_Bar"], "_ is a character, not LIKE's any-character")
            #expect(try await ids("%") == [])
            #expect(try await ids("FOO") == ["Foo-Bar", "Foo_Bar", "FooXBar"], "case-insensitive")
            #expect(try await ids("CAFÉ") == ["Café_Db"], "case-insensitive beyond ASCII")
        }
    }

    @Test func theCatalogTakesAFilterOfAnyLength() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-filter-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let feed = try PackageFeed(dataDirectory: directory, logger: Logger(label: "test"))
        // SQLite refuses LIKE patterns over 50,000 bytes: this was the 500.
        let (items, total) = try await feed.catalog.packages(filter: String(repeating: "a", count: 200_000), skip: 0, take: 10)
        #expect(items.isEmpty && total == 0)
    }
}
