import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `backupfeed push` and `backupfeed pull`, the real binary against the real `backupfeed serve` binary: what a
/// backup job and a restore runbook see (stdout, stderr, exit status) and what lands on the server and on disk.
@Suite(.serialized) struct ClientCommandTests {
    static let admin = "API-CLIENTCOMMANDADMIN0000000000"

    /// A running server with a push key and a read key; verification restores SQLite dumps in a private sandbox.
    final class Feed {
        let data: URL
        let sandbox: URL
        let server: ServerProcess
        let pushKey: String
        let readKey: String
        var url: String { server.baseURL }
        var client: FeedClient { FeedClient(baseURL: url, pushKey: pushKey, readKey: readKey, adminKey: ClientCommandTests.admin) }

        init() async throws {
            data = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-client-\(UUID().uuidString)")
            sandbox = try Verification.privateSandbox()
            pushKey = try await Self.createKey(data: data, name: "nightly", scope: "push")
            readKey = try await Self.createKey(data: data, name: "runbook", scope: "read")
            server = try await ServerProcess(dataDirectory: data, adminKey: ClientCommandTests.admin, extraArguments: ["--sandbox-dir", sandbox.path])
        }

        private static func createKey(data: URL, name: String, scope: String) async throws -> String {
            let created = try await ClientProcess.run(["keys", "create", "--data-dir", data.path, "--name", name, "--scope", scope])
            guard created.status == 0 else { throw FeedClientError.status(Int(created.status), created.stderr) }
            return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Arguments that name this server and a key.
        func flags(key: String) -> [String] { ["--server", url, "--api-key", key] }

        func stop() {
            if server.process.isRunning { server.kill(signal: SIGTERM) }
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(at: sandbox)
        }
    }

    static var goodDump: Data { get throws { try Data(contentsOf: Verification.petclinic("petclinic.sqlite.sql")) } }

    /// The first half of the good dump: cut in the middle of a statement, which verification calls truncated.
    static var truncatedDump: Data { get throws { let dump = try goodDump; return dump.prefix(dump.count / 2) } }

    /// `dump` zipped with the real zip tool and named `filename`, alone in a fresh directory.
    static func package(_ filename: String, dump: Data) throws -> URL {
        let zip = try Verification.zip(dump)
        let named = zip.deletingLastPathComponent().appendingPathComponent(filename)
        try FileManager.default.moveItem(at: zip, to: named)
        return named
    }

    static func discard(_ package: URL) { try? FileManager.default.removeItem(at: package.deletingLastPathComponent()) }

    /// A fresh output directory path that does not exist yet.
    static func outputDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("pull-\(UUID().uuidString)")
    }

    /// Every entry in `directory`, hidden ones included; empty when it does not exist.
    static func contents(_ directory: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    }

    @Test func pushStoresTheFileWithItsChecksumAndFollowsTheOverwriteMode() async throws {
        let feed = try await Feed()
        defer { feed.stop() }
        let file = try Self.package("PetClinicDB.2022.06.20.zip", dump: try Self.goodDump)
        defer { Self.discard(file) }
        let sha256 = try ClientProcess.sha256sum(file)

        let pushed = try await ClientProcess.run(["push", file.path] + feed.flags(key: feed.pushKey))
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stdout.contains("PetClinicDB 2022.06.20 created: sha256 \(sha256)"), "\(pushed)")
        let metadata = try await feed.client.get("/api/packages/PetClinicDB/2022.06.20")
        #expect(metadata.json["sha256"] as? String == sha256)
        #expect(metadata.json["filename"] as? String == "PetClinicDB.2022.06.20.zip")
        // Not a terminal: a line when each stage starts and ends, never a redrawn bar.
        #expect(!pushed.stderr.contains("\r"), "\(pushed)")
        #expect(pushed.stderr.contains("upload PetClinicDB.2022.06.20.zip: done"), "\(pushed)")

        let again = try await ClientProcess.run(["push", file.path] + feed.flags(key: feed.pushKey))
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("PetClinicDB 2022.06.20 unchanged"), "\(again)")

        let other = try Self.package("PetClinicDB.2022.06.20.zip", dump: try Self.goodDump + Data("-- the next night\n".utf8))
        defer { Self.discard(other) }
        let otherSHA256 = try ClientProcess.sha256sum(other)
        for modeFlags in [[], ["--overwrite-mode", "FailIfExists"]] {
            let refused = try await ClientProcess.run(["push", other.path] + feed.flags(key: feed.pushKey) + modeFlags)
            #expect(refused.status == 2, "\(refused)")
            #expect(refused.stderr.contains("HTTP 409"), "\(refused)")
            #expect(refused.stderr.contains("already exists with different content"), "the server's own message: \(refused)")
            #expect(refused.stdout.isEmpty, "\(refused)")
        }
        #expect(try await feed.client.get("/api/packages/PetClinicDB/2022.06.20").json["sha256"] as? String == sha256)

        let ignored = try await ClientProcess.run(["push", other.path, "--overwrite-mode", "IgnoreIfExists"] + feed.flags(key: feed.pushKey))
        #expect(ignored.status == 0, "\(ignored)")
        #expect(ignored.stdout.contains("PetClinicDB 2022.06.20 ignored: sha256 \(sha256)"), "\(ignored)")

        let replaced = try await ClientProcess.run(["push", other.path, "--overwrite-mode", "overwriteexisting"] + feed.flags(key: feed.pushKey))
        #expect(replaced.status == 0, "\(replaced)")
        #expect(replaced.stdout.contains("PetClinicDB 2022.06.20 replaced: sha256 \(otherSHA256)"), "\(replaced)")
        #expect(try await feed.client.get("/api/packages/PetClinicDB/2022.06.20").json["sha256"] as? String == otherSHA256)
    }

    @Test func keysAndServerComeFromFlagsOrTheEnvironmentAndBadOnesAreNamed() async throws {
        let feed = try await Feed()
        defer { feed.stop() }
        let file = try Self.package("EnvDB.1.0.0.zip", dump: try Self.goodDump)
        defer { Self.discard(file) }

        let fromEnvironment = try await ClientProcess.run(
            ["push", file.path], environment: ["BACKUPFEED_SERVER": feed.url, "BACKUPFEED_API_KEY": feed.pushKey])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment)")
        #expect(try await feed.client.get("/api/packages/EnvDB/1.0.0").status == 200)

        let output = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(at: output) }
        let pulled = try await ClientProcess.run(
            ["pull", "EnvDB", "-o", output.path], environment: ["BACKUPFEED_SERVER": feed.url, "BACKUPFEED_API_KEY": feed.readKey])
        #expect(pulled.status == 0, "\(pulled)")
        #expect(Self.contents(output) == ["EnvDB.1.0.0.zip"])

        let noKey = try await ClientProcess.run(["push", file.path, "--server", feed.url])
        #expect(noKey.status == 64, "a usage error: \(noKey)")
        #expect(noKey.stderr.contains("BACKUPFEED_API_KEY"), "\(noKey)")
        let noServer = try await ClientProcess.run(["pull", "EnvDB", "-o", output.path, "--api-key", feed.readKey])
        #expect(noServer.status == 64, "\(noServer)")
        #expect(noServer.stderr.contains("BACKUPFEED_SERVER"), "\(noServer)")

        let wrongKey = try await ClientProcess.run(["push", file.path] + feed.flags(key: "API-NOSUCHKEY000000000000000000000"))
        #expect(wrongKey.status == 2, "\(wrongKey)")
        #expect(wrongKey.stderr.contains("HTTP 401") && wrongKey.stderr.contains("not valid"), "\(wrongKey)")
        let readOnly = try await ClientProcess.run(["push", file.path, "--overwrite-mode", "OverwriteExisting"] + feed.flags(key: feed.readKey))
        #expect(readOnly.status == 2, "\(readOnly)")
        #expect(readOnly.stderr.contains("HTTP 403") && readOnly.stderr.contains("read scope"), "\(readOnly)")

        let nowhere = try await ClientProcess.run(
            ["pull", "EnvDB", "-o", output.path, "--server", "http://127.0.0.1:\(ServerProcess.freePort())", "--api-key", feed.readKey])
        #expect(nowhere.status == 2, "\(nowhere)")
        #expect(nowhere.stderr.contains("cannot reach the server"), "\(nowhere)")

        let badName = try await ClientProcess.run(["push", Verification.petclinic("petclinic.sqlite.sql").path] + feed.flags(key: feed.pushKey))
        #expect(badName.status == 2, "\(badName)")
        #expect(badName.stderr.contains("<PackageId>.<Version>"), "\(badName)")
    }

    @Test func pushWaitExitsWithTheVerdictAndPullFetchesTheVerifiedVersion() async throws {
        let feed = try await Feed()
        defer { feed.stop() }
        let good = try Self.package("PetClinicDB.2022.06.20.zip", dump: try Self.goodDump)
        let cut = try Self.package("PetClinicDB.2022.06.21.zip", dump: try Self.truncatedDump)
        defer { Self.discard(good); Self.discard(cut) }

        let passed = try await ClientProcess.run(["push", good.path, "--wait", "--timeout", "120"] + feed.flags(key: feed.pushKey))
        #expect(passed.status == 0, "\(passed)")
        #expect(passed.stdout.contains("verification passed"), "\(passed)")

        let failed = try await ClientProcess.run(["push", cut.path, "--wait", "--timeout", "120"] + feed.flags(key: feed.pushKey))
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stdout.contains("verification failed"), "\(failed)")
        #expect(failed.stdout.contains("failed completeness") && failed.stdout.contains("truncated"), "the failing check and its reason: \(failed)")
        #expect(try await feed.client.waitForVerdict("PetClinicDB", "2022.06.21").status == "failed")

        // The newer version is broken: --latest-verified skips it, --latest (the default) takes it.
        let verifiedDirectory = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(at: verifiedDirectory) }
        let verified = try await ClientProcess.run(["pull", "PetClinicDB", "--latest-verified", "-o", verifiedDirectory.path] + feed.flags(key: feed.readKey))
        #expect(verified.status == 0, "\(verified)")
        let savedPath = verified.stdout.trimmingCharacters(in: .newlines)
        #expect(savedPath == verifiedDirectory.appendingPathComponent("PetClinicDB.2022.06.20.zip").path, "stdout is the saved path only: \(verified)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: savedPath)) == Data(contentsOf: good), "identical bytes")
        #expect(Self.contents(verifiedDirectory) == ["PetClinicDB.2022.06.20.zip"], "no temporary file left")
        #expect(!verified.stderr.contains("\r"), "\(verified)")

        let latestDirectory = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(at: latestDirectory) }
        let latest = try await ClientProcess.run(["pull", "PetClinicDB", "-o", latestDirectory.path] + feed.flags(key: feed.readKey))
        #expect(latest.status == 0, "\(latest)")
        #expect(try Data(contentsOf: latestDirectory.appendingPathComponent("PetClinicDB.2022.06.21.zip")) == Data(contentsOf: cut))
        let pinned = try await ClientProcess.run(
            ["pull", "petclinicdb", "--version", "2022.06.20", "-o", latestDirectory.path] + feed.flags(key: feed.readKey))
        #expect(pinned.status == 0, "IDs are case-insensitive: \(pinned)")
        #expect(Set(Self.contents(latestDirectory)) == ["PetClinicDB.2022.06.20.zip", "PetClinicDB.2022.06.21.zip"])
    }

    @Test func pullOfWhatIsNotThereWritesNothing() async throws {
        let feed = try await Feed()
        defer { feed.stop() }
        let broken = try Self.package("BrokenDB.1.0.0.zip", dump: try Self.truncatedDump)
        defer { Self.discard(broken) }
        let pushed = try await ClientProcess.run(["push", broken.path, "--wait"] + feed.flags(key: feed.pushKey))
        #expect(pushed.status == 1, "\(pushed)")

        let cases: [(arguments: [String], message: String)] = [
            (["BrokenDB", "--version", "9.9.9"], "version 9.9.9 of package BrokenDB not found"),
            (["NoSuchDB"], "package NoSuchDB not found"),
            (["BrokenDB", "--latest-verified"], "no version whose latest verification passed"),
        ]
        for (arguments, message) in cases {
            let output = Self.outputDirectory()
            defer { try? FileManager.default.removeItem(at: output) }
            let pulled = try await ClientProcess.run(["pull"] + arguments + ["-o", output.path] + feed.flags(key: feed.readKey))
            #expect(pulled.status == 2, "\(arguments): \(pulled)")
            #expect(pulled.stderr.contains("HTTP 404") && pulled.stderr.contains(message), "\(arguments): \(pulled)")
            #expect(pulled.stdout.isEmpty, "\(pulled)")
            #expect(!FileManager.default.fileExists(atPath: output.path), "nothing written, not even the directory: \(arguments)")
        }
        let conflicting = try await ClientProcess.run(["pull", "BrokenDB", "--latest", "--version", "1.0.0", "-o", "/tmp"] + feed.flags(key: feed.readKey))
        #expect(conflicting.status == 64, "\(conflicting)")
    }

    /// The bytes on the server's disk are damaged after the push: the download's hash cannot match the checksum the
    /// server announces, and the client must keep nothing of it.
    @Test func pullRefusesBytesThatDoNotMatchTheChecksum() async throws {
        let feed = try await Feed()
        defer { feed.stop() }
        let file = try Self.package("PetClinicDB.1.0.0.zip", dump: try Self.goodDump)
        defer { Self.discard(file) }
        let pushed = try await ClientProcess.run(["push", file.path, "--wait"] + feed.flags(key: feed.pushKey))
        #expect(pushed.status == 0, "\(pushed)")
        let sha256 = try ClientProcess.sha256sum(file)
        let blob = feed.data.appendingPathComponent("blobs/sha256/\(sha256.prefix(2))/\(sha256)")
        var bytes = try Data(contentsOf: blob)
        #expect(bytes.count > 1000)
        bytes[bytes.count / 2] ^= 0xFF
        chmod(blob.path, 0o644)
        try bytes.write(to: blob)

        let output = Self.outputDirectory()
        defer { try? FileManager.default.removeItem(at: output) }
        let pulled = try await ClientProcess.run(["pull", "PetClinicDB", "--version", "1.0.0", "-o", output.path] + feed.flags(key: feed.readKey))
        #expect(pulled.status == 2, "\(pulled)")
        #expect(pulled.stderr.contains("checksum mismatch") && pulled.stderr.contains(sha256), "\(pulled)")
        #expect(pulled.stdout.isEmpty, "\(pulled)")
        #expect(Self.contents(output).isEmpty, "neither the file nor its temporary copy: \(Self.contents(output))")
    }

    /// On a terminal the transfer is a bar redrawn in place, with percent and rate.
    @Test func progressIsRedrawnOnATerminal() async throws {
        let feed = try await Feed()
        defer { feed.stop() }
        let file = try Self.package("TerminalDB.1.0.0.zip", dump: try Self.goodDump)
        defer { Self.discard(file) }
        let environment = ["BACKUPFEED_SERVER": feed.url, "BACKUPFEED_API_KEY": feed.pushKey]
        let pushed = try await ClientProcess.runInTerminal(["push", file.path], environment: environment)
        #expect(pushed.status == 0, "\(pushed)")
        #expect(pushed.stdout.contains("\rupload TerminalDB.1.0.0.zip 100%"), "\(pushed)")
        #expect(pushed.stdout.contains("/s"), "a rate: \(pushed)")
        #expect(!pushed.stdout.contains("upload TerminalDB.1.0.0.zip: done"), "no log lines on a terminal: \(pushed)")
    }
}
