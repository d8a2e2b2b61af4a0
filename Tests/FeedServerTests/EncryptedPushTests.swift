import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PackageFeed
import Testing

@testable import BackupVerifier
@testable import FeedServer

#if canImport(Glibc)
import Glibc
#endif

/// Encrypted backups through a real push over HTTP (`sqlite3 .dump | gzip | age -r …` and `… | gpg -e -r …`, pushed
/// with the real curl): the identity stored with `PUT /api/decryption-keys/NAME` opens them, the report names it,
/// the download is the ciphertext as pushed, and no answer ever carries the secret.
@Suite(.serialized, .enabled(if: EncryptionKeys.available || Verification.isCI, "age and gnupg are not installed (apt-get install age gnupg)"))
struct EncryptedPushTests {
    static let fixture = CompressedPushTests.fixture

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("encrypted-push-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func putKey(_ feed: FeedClient, _ name: String, _ text: String, key: String? = nil) async throws -> FeedClient.Reply {
        try await feed.request("PUT", "/api/decryption-keys/\(name)", key: key ?? feed.adminKey, body: text, contentType: "text/plain")
    }

    static func download(_ base: String, _ feed: FeedClient, _ id: String, _ version: String, to target: URL) async throws -> Int {
        try await Curl.run(["-H", "X-Octopus-ApiKey: \(feed.readKey)", "-o", target.path, "\(base)/api/packages/\(id)/\(version)/download"]).status
    }

    @Test func ageEncryptedPushIsVerifiedWithTheStoredIdentityAndServedAsPushed() async throws {
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = try await EncryptionKeys.ageKeygen()
        let ciphertext = scratch.appendingPathComponent("shop.sql.gz.age")
        try await EncryptionKeys.ageEncrypt(Self.fixture, to: key.recipient, output: ciphertext)

        try await CompressedPushTests.withLiveFeed { testFeed, feed, base in
            var answers: [String] = []
            // Admin only: no key is a 401, a push key a 403, and neither stores anything.
            #expect(try await feed.request("PUT", "/api/decryption-keys/ops-age", key: nil, body: key.identityFile, contentType: "text/plain").status == 401)
            #expect(try await Self.putKey(feed, "ops-age", key.identityFile, key: feed.pushKey).status == 403)
            #expect(try await feed.get("/api/decryption-keys", key: feed.readKey).status == 403)

            let put = try await Self.putKey(feed, "ops-age", key.identityFile)
            #expect(put.status == 201, "\(put.body)")
            #expect(put.json["name"] as? String == "ops-age")
            #expect(put.json["kind"] as? String == "age")
            #expect(put.json["recipients"] as? [String] == [key.recipient])
            let again = try await Self.putKey(feed, "ops-age", key.secret)
            #expect(again.status == 200, "replacing a key is a 200: \(again.body)")
            let refused = try await Self.putKey(feed, "ops-age", "hello")
            #expect(refused.status == 400)
            #expect(refused.body.contains("not a decryption key"), "\(refused.body)")
            #expect(try await Self.putKey(feed, "-bad", key.secret).status == 400)
            let list = try await feed.get("/api/decryption-keys", key: feed.adminKey)
            #expect(list.status == 200)
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["name"] as? String } == ["ops-age"])
            #expect(items.first.map { Set($0.keys) } == ["name", "kind", "recipients", "createdAt", "updatedAt"])
            let show = try await feed.get("/api/decryption-keys/ops-age", key: feed.adminKey)
            #expect(show.status == 200)
            answers += [put.body, again.body, refused.body, list.body, show.body]

            // Stored for the server's user only.
            let directory = testFeed.dataDirectory.appendingPathComponent("decryption-keys")
            let file = directory.appendingPathComponent("ops-age.json")
            #expect(try FileManager.default.attributesOfItem(atPath: directory.path)[.posixPermissions] as? Int == 0o700)
            #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o600)

            try await feed.push(ciphertext, id: "PetClinicDB", version: "2022.06.20", ext: ".sql.gz.age")
            let verdict = try await feed.waitForVerdict("PetClinicDB", "2022.06.20")
            #expect(verdict.status == "passed", "\(verdict)")
            let reports = try await feed.get("/api/packages/PetClinicDB/2022.06.20/verifications")
            let report = try #require(reports.array.first)
            #expect(report["layers"] as? [String] == ["age", "gzip"], "\(report)")
            #expect(report["decryptedBy"] as? String == "ops-age", "\(report)")
            #expect(report.rows("orders") == 20 && report.rows("customers") == 3)
            answers += [reports.body, try await feed.get("/api/packages/PetClinicDB/2022.06.20").body]

            // The download is the ciphertext, byte for byte.
            let target = scratch.appendingPathComponent("download")
            #expect(try await Self.download(base, feed, "PetClinicDB", "2022.06.20", to: target) == 200)
            #expect(try Data(contentsOf: target) == Data(contentsOf: ciphertext))

            // Without the identity: an error naming what is missing and how to add it.
            let removed = try await feed.request("DELETE", "/api/decryption-keys/ops-age", key: feed.adminKey)
            #expect(removed.status == 204)
            #expect(try await feed.request("DELETE", "/api/decryption-keys/ops-age", key: feed.adminKey).status == 404)
            #expect(!FileManager.default.fileExists(atPath: file.path))
            try await feed.push(ciphertext, id: "PetClinicDB", version: "2022.06.21", ext: ".sql.gz.age")
            let missing = try await feed.waitForVerdict("PetClinicDB", "2022.06.21")
            #expect(missing.status == "error", "\(missing)")
            let summary = missing["summary"] as? String ?? ""
            #expect(summary.contains("age-encrypted (1 X25519 recipient), and the feed holds no age identity"), "\(summary)")
            #expect(summary.contains("PUT /api/decryption-keys/NAME"))

            // Modified and truncated ciphertexts are bad backups. (A damaged key file beside the good one is
            // skipped, not fatal to the others.)
            #expect(try await Self.putKey(feed, "ops-age", key.identityFile).status == 201)
            try Data("{ not json".utf8).write(to: directory.appendingPathComponent("damaged.json"))
            var bytes = try Data(contentsOf: ciphertext)
            var flipped = bytes
            flipped[flipped.count - 20] ^= 0x01
            let flippedFile = scratch.appendingPathComponent("flipped.age")
            try flipped.write(to: flippedFile)
            try await feed.push(flippedFile, id: "PetClinicDB", version: "2022.06.22", ext: ".sql.gz.age")
            let modified = try await feed.waitForVerdict("PetClinicDB", "2022.06.22")
            #expect(modified.status == "failed", "\(modified)")
            #expect((modified["summary"] as? String)?.contains("fails authentication") == true, "\(modified)")
            bytes.removeLast(25)
            let cutFile = scratch.appendingPathComponent("cut.age")
            try bytes.write(to: cutFile)
            try await feed.push(cutFile, id: "PetClinicDB", version: "2022.06.23", ext: ".sql.gz.age")
            let cut = try await feed.waitForVerdict("PetClinicDB", "2022.06.23")
            #expect(cut.status == "failed", "\(cut)")
            #expect(try await feed.get("/api/decryption-keys", key: feed.adminKey).json["items"].map { ($0 as? [[String: Any]])?.count } == 1)
            answers += [try await feed.get("/api/decryption-keys", key: feed.adminKey).body, try await feed.get("/api/packages/PetClinicDB/versions").body]

            for answer in answers {
                #expect(!answer.contains(key.secret), "an answer carries the secret: \(answer.prefix(200))")
            }
        }
    }

    @Test func gpgEncryptedPushIsVerifiedWithTheStoredSecretKey() async throws {
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let gpg = try await EncryptionKeys.GnuPG.make(in: scratch)
        let ciphertext = scratch.appendingPathComponent("shop.sql.gz.gpg")
        try await gpg.encrypt(Self.fixture, output: ciphertext)
        await gpg.stopAgent()

        try await CompressedPushTests.withLiveFeed { _, feed, base in
            let put = try await Self.putKey(feed, "ops-gpg", gpg.secretArmored)
            #expect(put.status == 201, "\(put.body)")
            #expect(put.json["kind"] as? String == "openpgp")
            #expect((put.json["recipients"] as? [String])?.first == gpg.fingerprint)
            try await feed.push(ciphertext, id: "Shop", version: "1.0.0", ext: ".sql.gz.gpg")
            let verdict = try await feed.waitForVerdict("Shop", "1.0.0")
            #expect(verdict.status == "passed", "\(verdict)")
            let reports = try await feed.get("/api/packages/Shop/1.0.0/verifications")
            let report = try #require(reports.array.first)
            #expect(report["layers"] as? [String] == ["openpgp", "gzip"], "\(report)")
            #expect(report["decryptedBy"] as? String == "ops-gpg")
            let target = scratch.appendingPathComponent("download")
            #expect(try await Self.download(base, feed, "Shop", "1.0.0", to: target) == 200)
            #expect(try Data(contentsOf: target) == Data(contentsOf: ciphertext))
            let list = try await feed.get("/api/decryption-keys", key: feed.adminKey)
            // The armored block's body lines are the secret: not one of them may appear in an answer.
            let secretLines = gpg.secretArmored.split(separator: "\n").filter { $0.count > 40 }.map(String.init)
            for answer in [put.body, reports.body, list.body] {
                #expect(!answer.contains("PRIVATE KEY"))
                #expect(!secretLines.contains { answer.contains($0) })
            }
        }
    }

    /// What leaves the server besides reports: its log (at trace level) and webhook payloads. Neither carries the
    /// secret key, nor a row of the decrypted dump (the fixture's password hash `$2a$10$abc`).
    @Test func logsAndWebhooksCarryNeitherTheKeyNorRows() async throws {
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = try await EncryptionKeys.ageKeygen()
        let ciphertext = scratch.appendingPathComponent("shop.sql.gz.age")
        try await EncryptionKeys.ageEncrypt(Self.fixture, to: key.recipient, output: ciphertext)
        let listener = try await WebhookListener.start()
        let log = CapturedLog()
        let testFeed = try await TestFeed()
        defer { testFeed.remove() }
        var configuration = testFeed.configuration
        configuration.sandboxDirectory = Verification.sharedSandbox
        configuration.runVerifications = true
        configuration.allowPrivateTargets = true
        configuration.logLevel = .trace
        let app = try await buildApplication(configuration, logger: log.logger())
        try await app.test(.live) { client in
            let feed = FeedClient(
                baseURL: "http://127.0.0.1:\(client.port!)", pushKey: testFeed.pushKey, readKey: testFeed.readKey, adminKey: TestFeed.adminKey)
            _ = try await feed.createWebhook(
                url: listener.url + "/hook", events: ["version.pushed", "verification.passed", "verification.failed", "verification.error"])
            #expect(try await Self.putKey(feed, "ops-age", key.identityFile).status == 201)
            try await feed.push(ciphertext, id: "Sealed", version: "1.0.0", ext: ".sql.gz.age")
            #expect(try await feed.waitForVerdict("Sealed", "1.0.0").status == "passed")
            let received = try await listener.waitForRequests(2)
            #expect(received.contains { $0.event == "verification.passed" }, "\(received.map(\.event))")
            for request in received {
                #expect(!request.body.contains(key.secret))
                #expect(!request.body.contains("$2a$10$abc"), "a webhook carries a row: \(request.body.prefix(300))")
            }
        }
        await listener.stop()
        let text = log.text
        #expect(text.contains("decryption key stored"), "the log was captured")
        #expect(!text.contains(key.secret), "the log carries the secret key")
        #expect(!text.contains("$2a$10$abc"), "the log carries a row of the dump")
    }

    /// `backupfeed verify FILE --identity KEYFILE`: the same pipeline locally, exit 0 with the right identity, 2 without;
    /// and `backupfeed decryption-keys` on a data directory.
    @Test(.enabled(if: Verification.runServerProcess, "needs the backupfeed executable"))
    func verifyCommandOpensAnEncryptedFileWithAnIdentityFile() async throws {
        let scratch = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = try await EncryptionKeys.ageKeygen()
        let identityFile = scratch.appendingPathComponent("ops.txt")
        try key.identityFile.write(to: identityFile, atomically: true, encoding: .utf8)
        let ciphertext = scratch.appendingPathComponent("shop.sql.gz.age")
        try await EncryptionKeys.ageEncrypt(Self.fixture, to: key.recipient, output: ciphertext)
        let executable = try ServerProcess.requireExecutable().path
        let work = scratch.appendingPathComponent("work").path
        let environment = ProcessInfo.processInfo.environment

        let opened = try await Runbook.execute(executable, ["verify", ciphertext.path, "--identity", identityFile.path, "--work-dir", work], environment: environment)
        #expect(opened.status == 0, "\(opened)")
        #expect(opened.stdout.contains("decrypted with ops.txt"), "\(opened)")
        #expect(opened.stdout.contains("via age › gzip"), "\(opened)")
        #expect(!opened.stdout.contains(key.secret))

        let closed = try await Runbook.execute(executable, ["verify", ciphertext.path, "--work-dir", work], environment: environment)
        #expect(closed.status == 2, "\(closed)")
        #expect(closed.stdout.contains("age-encrypted (1 X25519 recipient)"), "\(closed)")

        let notAKey = scratch.appendingPathComponent("not-a-key.txt")
        try "hello".write(to: notAKey, atomically: true, encoding: .utf8)
        let refused = try await Runbook.execute(executable, ["verify", ciphertext.path, "--identity", notAKey.path, "--work-dir", work], environment: environment)
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("not a decryption key"), "\(refused)")

        // backupfeed decryption-keys on a data directory: a non-key is refused (usage error), remove removes.
        let data = scratch.appendingPathComponent("data").path
        let bad = try await Runbook.execute(executable, ["decryption-keys", "add", "--data-dir", data, "ops", notAKey.path], environment: environment)
        #expect(bad.status == 64, "\(bad)")
        #expect(bad.stderr.contains("not a decryption key"), "\(bad)")
        let added = try await Runbook.execute(executable, ["decryption-keys", "add", "--data-dir", data, "ops", identityFile.path], environment: environment)
        #expect(added.status == 0, "\(added)")
        let removed = try await Runbook.execute(executable, ["decryption-keys", "remove", "--data-dir", data, "ops"], environment: environment)
        #expect(removed.status == 0 && removed.stdout.contains("removed ops"), "\(removed)")
        let again = try await Runbook.execute(executable, ["decryption-keys", "remove", "--data-dir", data, "ops"], environment: environment)
        #expect(again.status == 64 && again.stderr.contains("no decryption key named 'ops'"), "\(again)")
        let listed = try await Runbook.execute(executable, ["decryption-keys", "list", "--data-dir", data], environment: environment)
        #expect(listed.stdout == "NAME\tKIND\tRECIPIENTS\tCREATED\tUPDATED\n", "\(listed)")
    }

    /// A hostile dump's restore runs confined exactly like this shell: it sees neither the data directory (where
    /// the keys are) nor the server's /tmp (where the tools' key files live while a run decrypts).
    @Test func theSandboxCannotReadTheStoredKeys() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let key = try await EncryptionKeys.ageKeygen()
        let identity = try await DecryptionIdentity.inspect(name: "ops-age", text: key.identityFile)
        let store = DecryptionKeyStore(dataDirectory: feed.dataDirectory)
        try store.put(StoredDecryptionKey(name: "ops-age", kind: "age", secret: identity.secret, recipients: identity.recipients, createdAt: Date(), updatedAt: Date()))
        let keyFile = store.directory.appendingPathComponent("ops-age.json")
        #expect(try String(contentsOf: keyFile, encoding: .utf8).contains(key.secret))
        // A key file as the tools get it while a run decrypts (removed with the workspace, even if the probe throws).
        let result = try await DecryptionWorkspace.with { workspace in
            let identityFile = try workspace.writeSecret(key.secret, named: "identity.txt")
            let work = try Verification.privateSandbox()
            defer { try? FileManager.default.removeItem(at: work) }
            let user = try SandboxUser.resolve()
            let isolation = try await SandboxSettings().isolation(for: user, engine: "test")
            let directory = try SandboxDirectory.create(in: work, engine: "keys", user: user, isolation: isolation, limits: ResourceLimits())
            let spec = ProcessSpec(
                executable: "/bin/bash", arguments: ["-c", """
                    cat \(keyFile.path) 2>/dev/null && echo READ-KEY-FILE
                    ls \(feed.dataDirectory.path) 2>/dev/null | grep -q . && echo SAW-DATA-DIR
                    cat \(identityFile.path) 2>/dev/null && echo READ-IDENTITY-FILE
                    ls /tmp | grep -q backupfeed-keys && echo SAW-KEY-WORKSPACES
                    echo done
                    """], workingDirectory: directory.url.path, user: user, confinement: directory.confinement)
            return try await ProcessRunner.run(spec, deadline: .now + .seconds(120))
        }
        #expect(result.output.contains("done"), "\(result.output)")
        for marker in ["READ-KEY-FILE", "SAW-DATA-DIR", "READ-IDENTITY-FILE", "SAW-KEY-WORKSPACES"] {
            #expect(!result.output.contains(marker), "\(marker): \(result.output)")
        }
        #expect(!result.output.contains(key.secret))
        // The probe itself works: the same shell unconfined finds the key where the server keeps it.
        let unconfined = try await ProcessRunner.run(
            ProcessSpec(executable: "/bin/bash", arguments: ["-c", "cat \(keyFile.path) >/dev/null && echo READ-KEY-FILE"]), deadline: .now + .seconds(30))
        #expect(unconfined.output.contains("READ-KEY-FILE"))
    }
}
