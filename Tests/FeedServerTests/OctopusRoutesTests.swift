import FeedServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PackageFeed
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Octopus routes' own rules: spaces, errors, paging, the version search.
@Suite struct OctopusRoutesTests {
    /// Pushes `versions` of `id` (distinct bytes each) through the Octopus raw route.
    static func push(_ client: some TestClientProtocol, _ feed: TestFeed, id: String, versions: [String]) async throws {
        for version in versions {
            let body = MultipartBody(filename: "\(id).\(version).zip", bytes: randomBytes(64))
            var headers = HTTPFields.key(feed.pushKey)
            headers[.contentType] = body.contentType
            let response = try await client.execute(uri: "/api/packages/raw", method: .post, headers: headers, body: body.data)
            #expect(response.status == .created, "\(id) \(version): \(response.text)")
        }
    }

    @Test func installationIdIsKeptAcrossRestartsAndTheSpaceNameIsConfigurable() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let first = try await feed.app().test(.router) { client in
            try await client.execute(uri: "/api", method: .get).json()["InstallationId"] as? String
        }
        var configuration = feed.configuration
        configuration.spaceName = "Backups"
        try await buildApplication(configuration).test(.router) { client in
            let root = try await client.execute(uri: "/api/", method: .get)
            #expect(root.status == .ok, "/api/ with the slash the Go client adds")
            #expect(try root.json()["InstallationId"] as? String == first, "created once, kept in the catalog")
            let named = try await client.execute(uri: "/api/spaces?name=BACKUPS", method: .get)
            #expect(try named.json().items.map { $0["Name"] as? String } == ["Backups"], "name is exact but case-insensitive")
            #expect(try await client.execute(uri: "/api/spaces?name=Back", method: .get).json().items.isEmpty)
            #expect(try await client.execute(uri: "/api/spaces?partialName=ack", method: .get).json().items.count == 1)
            #expect(try await client.execute(uri: "/api/spaces?ids=Spaces-1", method: .get).json().items.count == 1)
            #expect(try await client.execute(uri: "/api/spaces?ids=Spaces-2", method: .get).json().items.isEmpty)
            #expect(try await client.execute(uri: "/api/spaces?skip=1", method: .get).json().items.isEmpty)
            let missing = try await client.execute(uri: "/api/spaces/Spaces-7", method: .get)
            #expect(missing.status == .notFound)
            #expect((try missing.json()["ErrorMessage"] as? String)?.contains("Spaces-1 (Backups)") == true)
        }
    }

    /// `serve --space-name` as an operator types it, through the real binary.
    @Test(.enabled(if: Verification.runServerProcess, "backupfeed was not built"))
    func serveSpaceNameFlagNamesTheSpace() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-space-\(UUID().uuidString)")
        let server = try await ServerProcess(dataDirectory: data, adminKey: "API-SPACENAMETEST000000000000", extraArguments: ["--space-name", "Nightly Backups"])
        defer {
            server.kill(signal: SIGTERM)
            try? FileManager.default.removeItem(at: data)
        }
        let all = try await Curl.run(["\(server.baseURL)/api/spaces/all"])
        let spaces = try JSONSerialization.jsonObject(with: Data(all.body.utf8)) as? [[String: Any]] ?? []
        #expect(spaces.map { $0["Name"] as? String } == ["Nightly Backups"], "\(all.body)")
        let found = try await Curl.run(["\(server.baseURL)/api/spaces?name=nightly%20backups"])
        #expect(found.body.contains("\"Id\":\"Spaces-1\""), "\(found.body)")
    }

    @Test func unknownSpacesAreOctopus404sThatNameTheSpaceThereIs() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            for path in [
                "/api/Spaces-2/feeds/feeds-builtin/packages/versions?packageId=X", "/api/Spaces-2", "/api/Spaces-x/packages/packages-X.1.0/raw",
                "/api/Spaces-01/feeds", "/api/Default/feeds/feeds-builtin/packages/versions?packageId=X",
            ] {
                let response = try await client.execute(uri: path, method: .get, headers: .key(feed.readKey))
                #expect(response.status == .notFound, "\(path)")
                let message = try response.json()["ErrorMessage"] as? String ?? ""
                #expect(message.contains("Spaces-1 (Default)"), "\(path): \(message)")
                #expect(try response.json()["Errors"] as? [String] != nil)
            }
            let push = MultipartBody(filename: "X.1.0.zip", bytes: [1, 2, 3])
            var headers = HTTPFields.key(feed.pushKey)
            headers[.contentType] = push.contentType
            let pushed = try await client.execute(uri: "/api/Spaces-2/packages/raw", method: .post, headers: headers, body: push.data)
            #expect(pushed.status == .notFound, "a push to a space that does not exist is not stored in Spaces-1")
            #expect(try feed.blobFiles().isEmpty)
        }
    }

    @Test func nativeRoutesAreNeverShadowedAndUnknownPathsAnswerInOctopusShape() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let webhooks = try await client.execute(uri: "/api/webhooks", method: .get, headers: .key(TestFeed.adminKey))
            #expect(webhooks.status == .ok, "\(webhooks.text)")
            let report = try await client.execute(uri: "/api/verifications/999", method: .get)
            #expect(report.status == .notFound)
            #expect(try report.json()["error"] as? String != nil, "a native route keeps the native error shape")
            let list = try await client.execute(uri: "/api/packages", method: .get)
            #expect(try list.json()["items"] != nil, "GET /api/packages is the native list")

            let unknown = try await client.execute(uri: "/api/nothing-here", method: .get)
            #expect(unknown.status == .notFound)
            #expect((try unknown.json()["ErrorMessage"] as? String)?.contains("/api/nothing-here") == true)
            let deep = try await client.execute(uri: "/api/packages/A/1.0/delta-signature", method: .get)
            #expect(deep.status == .notFound)
            #expect(try deep.json()["ErrorMessage"] as? String != nil)
        }
    }

    @Test func theCurrentUserNeedsAKey() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/users/me", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(try anonymous.json()["ErrorMessage"] as? String != nil)
            let wrong = try await client.execute(uri: "/api/users/me", method: .get, headers: .key("API-NOTAKEY0000000000000000"))
            #expect(wrong.status == .unauthorized)
            #expect(try wrong.json()["ErrorMessage"] as? String != nil)

            let me = try await client.execute(uri: "/api/users/me", method: .get, headers: .key(feed.readKey)).json()
            #expect(me["Username"] as? String == "reader")
            #expect(me["DisplayName"] as? String == "reader")
            #expect(me["IsService"] as? Bool == true)
            let id = try #require(me["Id"] as? String)
            let again = try await client.execute(uri: "/api/users/me", method: .get, headers: .key(feed.readKey)).json()
            #expect(again["Id"] as? String == id, "stable per key")
            let other = try await client.execute(uri: "/api/users/me", method: .get, headers: .key(feed.pushKey)).json()
            #expect(other["Id"] as? String != id)
            let spaces = try await client.execute(uri: try #require(me.link("Spaces")), method: .get, headers: .key(feed.readKey))
            #expect(try spaces.jsonArray().map { $0["Id"] as? String } == ["Spaces-1"])
            let notMine = try await client.execute(uri: "/api/users/Users-999/spaces", method: .get, headers: .key(feed.readKey))
            #expect(notMine.status == .notFound)
        }
    }

    @Test func packagesAndFeedsAreListedWithOctopusPaging() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            try await Self.push(client, feed, id: "Alpha", versions: ["1.0", "1.1", "2.0-rc.1"])
            try await Self.push(client, feed, id: "Beta", versions: ["3.0"])

            let page = try await client.execute(uri: "/api/Spaces-1/packages?take=2", method: .get).json()
            #expect(page["TotalResults"] as? Int == 4)
            #expect(page["ItemsPerPage"] as? Int == 2)
            #expect(page["NumberOfPages"] as? Int == 2)
            #expect(page["LastPageNumber"] as? Int == 1)
            #expect(page.items.map { $0["Id"] as? String } == ["packages-Alpha.2.0-rc.1", "packages-Alpha.1.1"])
            let next = try #require(page.link("Page.Next"))
            #expect(page.link("Page.Current") != nil && page.link("Self") != nil)
            let second = try await client.execute(uri: next, method: .get).json()
            #expect(second.items.map { $0["Id"] as? String } == ["packages-Alpha.1.0", "packages-Beta.3.0"])
            #expect(second.link("Page.Next") == nil)

            let latest = try await client.execute(uri: "/api/Spaces-1/packages?latest=true", method: .get).json()
            #expect(latest.items.map { $0["Version"] as? String } == ["1.1", "3.0"])
            let one = try await client.execute(uri: "/api/Spaces-1/packages?nuGetPackageId=beta", method: .get).json()
            #expect(one.items.map { $0["PackageId"] as? String } == ["Beta"])
            let filtered = try await client.execute(uri: "/api/Spaces-1/packages?filter=alp&take=2147483647", method: .get).json()
            #expect(filtered.items.count == 3)
            #expect(filtered["ItemsPerPage"] as? Int == 1000, "take is clamped to the page cap")

            let item = try #require(one.items.first)
            #expect(item.link("Self") == "/api/Spaces-1/packages/packages-Beta.3.0")
            let byLink = try await client.execute(uri: try #require(item.link("Raw")), method: .get, headers: .key(feed.readKey))
            #expect(byLink.status == .ok)
            let unscoped = try await client.execute(uri: "/api/packages/packages-Beta.3.0", method: .get)
            #expect(try unscoped.json()["Version"] as? String == "3.0")
            let unknown = try await client.execute(uri: "/api/Spaces-1/packages/packages-Beta.9.9", method: .get)
            #expect(unknown.status == .notFound)
            #expect(try unknown.json()["ErrorMessage"] as? String != nil)
            let bad = try await client.execute(uri: "/api/Spaces-1/packages/not-a-reference", method: .get)
            #expect(bad.status == .badRequest)
            #expect((try bad.json()["ErrorMessage"] as? String)?.contains("packages-<PackageId>.<Version>") == true)

            for path in ["/api/feeds?feedType=BuiltIn", "/api/Spaces-1/feeds?feedType=BuiltIn"] {
                let feeds = try await client.execute(uri: path, method: .get).json()
                #expect(feeds.items.map { $0["Id"] as? String } == ["feeds-builtin"], "\(path)")
            }
            #expect(try await client.execute(uri: "/api/feeds?feedType=Maven", method: .get).json().items.isEmpty)
            #expect(try await client.execute(uri: "/api/Spaces-1/feeds/all", method: .get).jsonArray().count == 1)
            let builtIn = try await client.execute(uri: "/api/Spaces-1/feeds/feeds-builtin", method: .get).json()
            #expect(builtIn["FeedType"] as? String == "BuiltIn")
            #expect(try await client.execute(uri: "/api/feeds/feeds-1001", method: .get).status == .notFound)
        }
    }

    @Test func takeAboveThePageCapIsClampedOnNativeRoutesToo() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            try await Self.push(client, feed, id: "Gamma", versions: ["1.0"])
            let list = try await client.execute(uri: "/api/packages?take=2147483647", method: .get)
            #expect(list.status == .ok)
            #expect(try list.json()["take"] as? Int == 1000)
            let versions = try await client.execute(uri: "/api/packages/Gamma/versions?take=5000", method: .get)
            #expect(versions.status == .ok)
            #expect(try await client.execute(uri: "/api/packages?take=0", method: .get).status == .badRequest)
        }
    }

    /// Whatever the range, the version search never answers a version outside it (the bug that made a restore
    /// runbook restore the newest backup instead of the pinned one).
    @Test func theVersionSearchNeverAnswersOutsideTheRange() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let versions = ["2022.06.19", "2022.06.20", "2022.06.21", "2022.7.1", "2023.1.1-rc.1", "2023.1.1"]
        let parsed = try versions.map { try PackageVersion($0) }
        try await feed.app().test(.router) { client in
            try await Self.push(client, feed, id: "Clinic", versions: versions)
            let bounds = ["", "2022.06.19", "2022.6.20", "2022.06.21", "2022.7.1", "2023.1.1", "2023.1.1-rc.1", "2024"]
            var checked = 0
            for low in bounds {
                for high in bounds {
                    for (open, close) in [("[", "]"), ("(", ")"), ("[", ")"), ("(", "]")] {
                        let text = "\(low.isEmpty ? "(" : open)\(low),\(high)\(high.isEmpty ? ")" : close)"
                        guard let range = try? NuGetVersionRange(text) else { continue }
                        let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                        let response = try await client.execute(
                            uri: "/api/Spaces-1/feeds/feeds-builtin/packages/versions?packageId=Clinic&versionRange=\(query)&includePreRelease=true&take=100",
                            method: .get)
                        #expect(response.status == .ok, "\(text): \(response.text)")
                        let answered = try response.json().items.compactMap { $0["Version"] as? String }
                        for version in answered {
                            #expect(range.contains(try PackageVersion(version)), "\(version) is outside \(text)")
                        }
                        let expected = zip(versions, parsed).filter { range.contains($0.1) }.map(\.0)
                        #expect(Set(answered) == Set(expected), "\(text)")
                        checked += 1
                    }
                }
            }
            #expect(checked > 50)
        }
    }

    @Test func versionSearchFiltersAndMalformedRanges() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            try await Self.push(client, feed, id: "Tags", versions: ["1.0.0", "1.1.0-rc.1", "1.1.0-beta.2", "1.1.0", "2.0.0"])
            func versions(_ query: String) async throws -> [String] {
                let response = try await client.execute(uri: "/api/feeds/feeds-builtin/packages/versions?packageId=Tags&\(query)", method: .get)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return try response.json().items.compactMap { $0["Version"] as? String }
            }
            #expect(try await versions("versionRange=1.1") == ["2.0.0", "1.1.0"], "a bare version is a minimum; prereleases only when asked")
            #expect(try await versions("versionRange=1.0.1&includePreRelease=true") == ["2.0.0", "1.1.0", "1.1.0-rc.1", "1.1.0-beta.2"])
            #expect(try await versions("versionRange=%5B1.1.0-rc.1%5D") == ["1.1.0-rc.1"], "a prerelease bound lets prereleases match")
            #expect(try await versions("preReleaseTag=%5Erc") == ["1.1.0-rc.1"])
            #expect(try await versions("preReleaseTag=%5E%24") == ["2.0.0", "1.1.0", "1.0.0"], "^$ keeps releases only")
            #expect(try await versions("filter=1.1&includePreRelease=true") == ["1.1.0", "1.1.0-rc.1", "1.1.0-beta.2"])
            #expect(try await versions("versionRange=%5B3.0,%29").isEmpty)

            for (query, expected) in [
                ("versionRange=%5B2.0,1.0%5D", "above the upper bound"), ("versionRange=%281.0%29", "inclusive on both sides"),
                ("versionRange=%5Bone,two%5D", "bound 'one'"), ("preReleaseTag=%28", "regular expression"),
            ] {
                let response = try await client.execute(uri: "/api/Spaces-1/feeds/feeds-builtin/packages/versions?packageId=Tags&\(query)", method: .get)
                #expect(response.status == .badRequest, "\(query)")
                let message = try response.json()["ErrorMessage"] as? String ?? ""
                #expect(message.contains(expected), "\(query): \(message)")
            }
            let unknown = try await client.execute(uri: "/api/Spaces-1/feeds/feeds-builtin/packages/versions?packageId=Nope", method: .get)
            #expect(unknown.status == .notFound)
            #expect(try unknown.json()["ErrorMessage"] as? String != nil)
        }
    }
}
