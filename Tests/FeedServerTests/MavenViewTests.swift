import Crypto
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
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The read-only Maven 2 view at `/maven/`: layout, metadata, checksums, auth, and a real `mvn` resolving the
/// latest verified backup from a live server.
@Suite struct MavenViewTests {
    static func basic(_ key: String) -> HTTPFields {
        [.authorization: "Basic " + Data("maven:\(key)".utf8).base64EncodedString()]
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    @Test func layoutMetadataAndChecksums() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let bytes = randomBytes(5_000)
        try await feed.app().test(.router) { client in
            for (version, payload) in [("2022.06.20", bytes), ("2022.06.21", randomBytes(10)), ("2022.07.01-rc.1", randomBytes(10))] {
                let body = MultipartBody(filename: "PetClinicDB.\(version).zip", bytes: payload)
                var headers = HTTPFields.key(feed.pushKey)
                headers[.contentType] = body.contentType
                #expect(try await client.execute(uri: "/api/packages/raw", method: .post, headers: headers, body: body.data).status == .created)
            }
            let metadata = try await client.execute(uri: "/maven/backupfeed/PetClinicDB/maven-metadata.xml", method: .get)
            #expect(metadata.status == .ok)
            let xml = metadata.text
            #expect(xml.contains("<groupId>backupfeed</groupId>"))
            #expect(xml.contains("<artifactId>PetClinicDB</artifactId>"))
            #expect(xml.contains("<latest>2022.07.01-rc.1</latest>"))
            #expect(xml.contains("<release>2022.06.21</release>"), "a prerelease is never the release: \(xml)")
            let listed = xml.components(separatedBy: "<version>").dropFirst().map { $0.components(separatedBy: "<")[0] }
            #expect(listed == ["2022.06.20", "2022.06.21", "2022.07.01-rc.1"], "oldest first, as Maven lists them")
            #expect(try XMLDocument(xmlString: xml).rootElement()?.name == "metadata", "well-formed XML")
            for (ext, digest) in [
                ("sha1", Self.hex(Insecure.SHA1.hash(data: Data(xml.utf8)))), ("md5", Self.hex(Insecure.MD5.hash(data: Data(xml.utf8)))),
                ("sha256", Self.hex(SHA256.hash(data: Data(xml.utf8)))),
            ] {
                let checksum = try await client.execute(uri: "/maven/backupfeed/PetClinicDB/maven-metadata.xml.\(ext)", method: .get)
                #expect(checksum.text == digest, "\(ext)")
            }

            let base = "/maven/backupfeed/PetClinicDB/2022.06.20/PetClinicDB-2022.06.20"
            let anonymous = try await client.execute(uri: "\(base).zip", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Basic realm=") == true, "Maven sends credentials only after a Basic challenge")
            let wrong = try await client.execute(uri: "\(base).zip", method: .get, headers: Self.basic("API-WRONG000000000000000000"))
            #expect(wrong.status == .unauthorized)
            let download = try await client.execute(uri: "\(base).zip", method: .get, headers: Self.basic(feed.readKey))
            #expect(download.status == .ok)
            #expect(Array(buffer: download.body) == bytes)
            var ranged = Self.basic(feed.readKey)
            ranged[.range] = "bytes=10-19"
            let part = try await client.execute(uri: "\(base).zip", method: .get, headers: ranged)
            #expect(part.status == .partialContent)
            #expect(Array(buffer: part.body) == Array(bytes[10...19]))
            let head = try await client.execute(uri: "\(base).zip", method: .head, headers: Self.basic(feed.readKey))
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == "5000")
            #expect(try await client.execute(uri: "\(base).zip.sha1", method: .get).text == Self.hex(Insecure.SHA1.hash(data: bytes)))
            #expect(try await client.execute(uri: "\(base).zip.sha256", method: .get).text == Self.hex(SHA256.hash(data: bytes)))
            let pom = try await client.execute(uri: "\(base).pom", method: .get)
            #expect(pom.status == .ok)
            #expect(pom.text.contains("<version>2022.06.20</version>") && pom.text.contains("<packaging>zip</packaging>"))
            #expect(try await client.execute(uri: "\(base).pom.sha1", method: .get).text == Self.hex(Insecure.SHA1.hash(data: Data(pom.text.utf8))))
            #expect(try await client.execute(uri: "\(base).pom", method: .head).status == .ok)
            #expect(try await client.execute(uri: "\(base).jar", method: .get, headers: Self.basic(feed.readKey)).status == .notFound)
            #expect(try await client.execute(uri: "/maven/backupfeed/Nope/maven-metadata.xml", method: .get).status == .notFound)

            // Nothing is verified here (verification is off): the verified group has no version to offer.
            let verified = try await client.execute(uri: "/maven/backupfeed/verified/PetClinicDB/maven-metadata.xml", method: .get)
            #expect(verified.status == .notFound)
            #expect(verified.text.contains("verification passed"), "\(verified.text)")
            let unverifiedFile = try await client.execute(
                uri: "/maven/backupfeed/verified/PetClinicDB/2022.06.20/PetClinicDB-2022.06.20.zip", method: .get, headers: Self.basic(feed.readKey))
            #expect(unverifiedFile.status == .notFound)
        }
    }

    @Test func privateModeHidesMetadataToo() async throws {
        let feed = try await TestFeed(privateMetadata: true)
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let body = MultipartBody(filename: "Secret.1.0.zip", bytes: randomBytes(10))
            var headers = HTTPFields.key(feed.pushKey)
            headers[.contentType] = body.contentType
            _ = try await client.execute(uri: "/api/packages/raw", method: .post, headers: headers, body: body.data)
            let anonymous = try await client.execute(uri: "/maven/backupfeed/Secret/maven-metadata.xml", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            let withKey = try await client.execute(uri: "/maven/backupfeed/Secret/maven-metadata.xml", method: .get, headers: Self.basic(feed.readKey))
            #expect(withKey.status == .ok)
        }
    }

    static let mvnInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/mvn")
        && FileManager.default.fileExists(atPath: "/usr/share/maven-repo/org/apache/maven/plugins/maven-dependency-plugin/3.5.0")

    /// A real Maven (Debian's, its plugins from /usr/share/maven-repo, nothing from the internet) asks the live
    /// server for `backupfeed.verified:PetClinicDB:RELEASE:zip` and must get the newest *verified* version, not the
    /// newer one that failed verification.
    @Test(.enabled(if: mvnInstalled || Verification.isCI, "maven and libmaven-dependency-plugin-java are not installed (scripts/test.sh installs them)"))
    func realMavenFetchesTheLatestVerifiedBackup() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("maven-view-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let sandbox = try Verification.privateSandbox()
        let admin = "API-MAVENTESTADMIN00000000000000"
        let server = try await ServerProcess(
            dataDirectory: work.appendingPathComponent("data"), adminKey: admin, extraArguments: ["--sandbox-dir", sandbox.path])
        defer {
            if server.process.isRunning { server.kill(signal: SIGTERM) }
            try? FileManager.default.removeItem(at: work)
            try? FileManager.default.removeItem(at: sandbox)
        }
        let client = FeedClient(baseURL: server.baseURL, pushKey: admin, readKey: admin, adminKey: admin)

        let dump = try String(contentsOf: Verification.petclinic("petclinic.sqlite.sql"), encoding: .utf8)
        let good = try Verification.zip(Data(dump.utf8))
        let cut = try #require(dump.range(of: "INSERT INTO owners VALUES(3,"))
        let bad = try Verification.zip(Data(dump[..<cut.upperBound].utf8))
        defer { Verification.discard(good); Verification.discard(bad) }
        try await client.push(good, id: "PetClinicDB", version: "2022.06.20")
        #expect(try await client.waitForVerdict("PetClinicDB", "2022.06.20").status == "passed")
        try await client.push(bad, id: "PetClinicDB", version: "2022.06.21")
        #expect(try await client.waitForVerdict("PetClinicDB", "2022.06.21").status == "failed")

        let metadata = try await client.get("/maven/backupfeed/verified/PetClinicDB/maven-metadata.xml")
        #expect(metadata.status == 200)
        #expect(metadata.body.contains("<release>2022.06.20</release>") && metadata.body.contains("<latest>2022.06.20</latest>"), "\(metadata.body)")
        #expect(!metadata.body.contains("2022.06.21"), "a failed version is not in the verified group")

        let settings = work.appendingPathComponent("settings.xml")
        try """
            <settings>
              <mirrors>
                <mirror><id>debian</id><mirrorOf>*,!bf</mirrorOf><url>file:///usr/share/maven-repo</url></mirror>
              </mirrors>
              <servers>
                <server><id>bf</id><username>runbook</username><password>\(admin)</password></server>
              </servers>
            </settings>
            """.write(to: settings, atomically: true, encoding: .utf8)
        let repository = work.appendingPathComponent("m2")
        func get(_ artifact: String) async throws -> ExternalTool.Result {
            try await ExternalTool.run(
                "/usr/bin/mvn",
                [
                    "-B", "-s", settings.path, "-Dmaven.repo.local=\(repository.path)",
                    "org.apache.maven.plugins:maven-dependency-plugin:3.5.0:get",
                    "-DremoteRepositories=bf::default::\(server.baseURL)/maven", "-Dartifact=\(artifact)", "-Dtransitive=false",
                ], in: work, timeout: 300)
        }
        let verified = try await get("backupfeed.verified:PetClinicDB:RELEASE:zip")
        #expect(verified.status == 0, "\(verified)")
        let fetched = repository.appendingPathComponent("backupfeed/verified/PetClinicDB/2022.06.20/PetClinicDB-2022.06.20.zip")
        #expect(FileManager.default.fileExists(atPath: fetched.path), "\(verified)")
        #expect((try? Data(contentsOf: fetched)) == (try Data(contentsOf: good)), "the verified backup's bytes")
        let failed = repository.appendingPathComponent("backupfeed/verified/PetClinicDB/2022.06.21")
        #expect(!FileManager.default.fileExists(atPath: failed.path), "the failed newer version must not be fetched")
        // Debian's file repository has no checksum files (Maven warns about those); BackupFeed's must all match.
        let ownWarnings = verified.output.split(separator: "\n").filter {
            $0.contains("WARNING") && ($0.contains(server.baseURL) || $0.contains("backupfeed") || $0.contains("PetClinicDB"))
        }
        #expect(ownWarnings.isEmpty, "Maven warned about BackupFeed's answers: \(ownWarnings)")

        // The all-versions group's RELEASE is the newest version, failed or not: that is what the verified group is for.
        let all = try await get("backupfeed:PetClinicDB:RELEASE:zip")
        #expect(all.status == 0, "\(all)")
        #expect(FileManager.default.fileExists(
            atPath: repository.appendingPathComponent("backupfeed/PetClinicDB/2022.06.21/PetClinicDB-2022.06.21.zip").path), "\(all)")
    }
}
