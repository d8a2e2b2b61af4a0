import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct DownloadAndQueryTests {
    /// Pushes versions of PetClinicDB (one prerelease) and returns their bytes by version.
    private func seed(_ client: some TestClientProtocol, key: String) async throws -> [String: [UInt8]] {
        var pushed: [String: [UInt8]] = [:]
        for version in ["2022.06.9", "2022.06.20", "2022.07.1-rc.1", "1.0"] {
            let bytes = randomBytes(3000)
            let response = try await client.execute(
                uri: "/api/packages/PetClinicDB/\(version)?extension=zip", method: .put, headers: .key(key), body: ByteBuffer(bytes: bytes))
            #expect(response.status == .created)
            pushed[version] = bytes
        }
        return pushed
    }

    @Test func downloadCarriesChecksumHeadersRangesAndConditionalAnswers() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let pushed = try await seed(client, key: feed.pushKey)
            let bytes = pushed["2022.06.20"]!
            let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            let uri = "/api/packages/petclinicdb/2022.6.20/download"
            let full = try await client.execute(uri: uri, method: .get, headers: .key(feed.readKey))
            #expect(full.status == .ok)
            #expect(Array(buffer: full.body) == bytes)
            #expect(full.headers[.eTag] == "\"\(sha)\"")
            #expect(full.headers[.init("X-Checksum-Sha256")!] == sha)
            #expect(full.headers[.contentDisposition] == "attachment; filename=\"PetClinicDB.2022.06.20.zip\"")
            #expect(full.headers[.acceptRanges] == "bytes")

            var rangeHeaders = HTTPFields.key(feed.readKey)
            rangeHeaders[.range] = "bytes=100-199"
            let partial = try await client.execute(uri: uri, method: .get, headers: rangeHeaders)
            #expect(partial.status == .partialContent)
            #expect(Array(buffer: partial.body) == Array(bytes[100...199]))
            #expect(partial.headers[.contentRange] == "bytes 100-199/3000")
            rangeHeaders[.range] = "bytes=-10"
            #expect(Array(buffer: try await client.execute(uri: uri, method: .get, headers: rangeHeaders).body) == Array(bytes.suffix(10)))
            rangeHeaders[.range] = "bytes=5000-"
            let unsatisfiable = try await client.execute(uri: uri, method: .get, headers: rangeHeaders)
            #expect(unsatisfiable.status == .rangeNotSatisfiable)
            #expect(unsatisfiable.headers[.contentRange] == "bytes */3000", "RFC 9110 §15.5.17: a 416 says the current length")

            var conditional = HTTPFields.key(feed.readKey)
            conditional[.ifNoneMatch] = "\"\(sha)\""
            let notModified = try await client.execute(uri: uri, method: .get, headers: conditional)
            #expect(notModified.status == .notModified)
            #expect(notModified.body.readableBytes == 0)

            let octopus = try await client.execute(uri: "/api/packages/packages-PetClinicDB.2022.06.20/raw", method: .get, headers: .key(feed.readKey))
            #expect(Array(buffer: octopus.body) == bytes)
            let spaced = try await client.execute(uri: "/api/Spaces-1/packages/packages-PetClinicDB.2022.06.20/raw", method: .get, headers: .key(feed.readKey))
            #expect(Array(buffer: spaced.body) == bytes)
        }
    }

    @Test func latestIsTheHighestReleaseVersion() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let pushed = try await seed(client, key: feed.pushKey)
            let metadata = try await client.execute(uri: "/api/packages/PetClinicDB/latest", method: .get)
            #expect(try metadata.json()["version"] as? String == "2022.06.20")
            let download = try await client.execute(uri: "/api/packages/PetClinicDB/latest/download", method: .get, headers: .key(feed.readKey))
            #expect(download.headers[.init("X-Package-Version")!] == "2022.06.20")
            #expect(Array(buffer: download.body) == pushed["2022.06.20"])
            let verified = try await client.execute(uri: "/api/packages/PetClinicDB/latest?verified=true", method: .get)
            #expect(verified.status == .notFound, "nothing is verified yet")
        }
    }

    @Test func listsAreOrderedAndPaged() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            _ = try await seed(client, key: feed.pushKey)
            let versions = try await client.execute(uri: "/api/packages/PetClinicDB/versions", method: .get)
            let items = try versions.json()["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["version"] as? String } == ["2022.07.1-rc.1", "2022.06.20", "2022.06.9", "1.0"])
            let releases = try await client.execute(uri: "/api/packages/PetClinicDB/versions?includePrerelease=false&take=2&skip=1", method: .get)
            let page = try releases.json()
            #expect((page["items"] as? [[String: Any]])?.compactMap { $0["version"] as? String } == ["2022.06.9", "1.0"])
            #expect(page["total"] as? Int == 3)

            let list = try await client.execute(uri: "/api/packages?filter=clinic", method: .get)
            let packages = try list.json()["items"] as? [[String: Any]] ?? []
            #expect(packages.count == 1)
            #expect(packages.first?["latestVersion"] as? String == "2022.06.20")
            #expect(packages.first?["versionCount"] as? Int == 4)
            #expect(try await client.execute(uri: "/api/packages?filter=nothing", method: .get).json()["total"] as? Int == 0)

            let octopus = try await client.execute(
                uri: "/api/Spaces-1/feeds/feeds-builtin/packages/versions?packageId=PetClinicDB&take=2", method: .get)
            let collection = try octopus.json()
            #expect(collection["TotalResults"] as? Int == 3)
            let octopusItems = collection["Items"] as? [[String: Any]] ?? []
            #expect(octopusItems.compactMap { $0["Version"] as? String } == ["2022.06.20", "2022.06.9"])
            #expect(octopusItems.first?["PackageId"] as? String == "PetClinicDB")
        }
    }

    @Test func deleteNeedsAdminAndRemovesTheUnusedBlob() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            _ = try await seed(client, key: feed.pushKey)
            #expect(try feed.blobFiles().count == 4)
            #expect(try await client.execute(uri: "/api/packages/PetClinicDB/1.0", method: .delete, headers: .key(feed.pushKey)).status == .forbidden)
            #expect(try await client.execute(uri: "/api/packages/PetClinicDB/1.0", method: .delete, headers: .key(TestFeed.adminKey)).status == .ok)
            #expect(try feed.blobFiles().count == 3)
            #expect(try await client.execute(uri: "/api/packages/PetClinicDB/1.0", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/api/packages/PetClinicDB/1.0", method: .delete, headers: .key(TestFeed.adminKey)).status == .notFound)
        }
    }

    @Test func identicalContentIsStoredOnceAndKeptWhileUsed() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let bytes = randomBytes(1000)
        try await feed.app().test(.router) { client in
            for uri in ["/api/packages/A/1.0", "/api/packages/B/1.0"] {
                #expect(try await client.execute(uri: uri, method: .put, headers: .key(feed.pushKey), body: ByteBuffer(bytes: bytes)).status == .created)
            }
            #expect(try feed.blobFiles().count == 1)
            _ = try await client.execute(uri: "/api/packages/A/1.0", method: .delete, headers: .key(TestFeed.adminKey))
            #expect(try feed.blobFiles().count == 1, "B still uses the blob")
            let stillThere = try await client.execute(uri: "/api/packages/B/1.0/download", method: .get, headers: .key(feed.readKey))
            #expect(Array(buffer: stillThere.body) == bytes)
            _ = try await client.execute(uri: "/api/packages/B/1.0", method: .delete, headers: .key(TestFeed.adminKey))
            #expect(try feed.blobFiles().isEmpty)
        }
    }
}
