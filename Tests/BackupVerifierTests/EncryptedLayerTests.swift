import Foundation
import Testing
@testable import BackupVerifier

/// Real dumps encrypted by the real `age` and `gpg` (`sqlite3 .dump | gzip | age -r …`, `… | gpg -e -r …`),
/// opened with stored identities: passed with the right one (and the report names it), `error` without one,
/// `failed` when the ciphertext was modified or cut short.
@Suite(.serialized, .enabled(if: EncryptionTools.available || EngineTestSupport.isCI, "age and gnupg are not installed (apt-get install age gnupg)"))
struct EncryptedLayerTests {
    let dump = DecoderFixtures.url("shop.sqlite.sql.gz")

    func verify(_ file: URL, _ identities: [DecryptionIdentity]) async throws -> VerificationReport {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        return await DecoderFixtures.verifier(work: work).verify(
            file: file, expectedSHA256: nil, policy: .default, previous: nil, keyring: DecryptionKeyring(identities))
    }

    func ageIdentity(named name: String = "ops-age") async throws -> (DecryptionIdentity, String) {
        let key = try await EncryptionTools.ageKeygen()
        // Stored as the server stores it: through the same inspection (the whole age-keygen file, comments and all).
        return (try await DecryptionIdentity.inspect(name: name, text: key.identityFile), key.recipient)
    }

    @Test func ageEncryptedDumpPassesWithItsIdentityAndNamesIt() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let (identity, recipient) = try await ageIdentity()
        #expect(identity.recipients == [recipient])
        let (other, _) = try await ageIdentity(named: "someone-else")
        let file = tmp.url.appendingPathComponent("shop.sql.gz.age")
        try await EncryptionTools.ageEncrypt(dump, to: recipient, output: file)
        // The other identity is tried first and does not match: the right one still opens it, and is the one named.
        let report = try await verify(file, [other, identity])
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.layers == ["age", "gzip"])
        #expect(report.decryptedBy == "ops-age")
        #expect(report.rows("orders") == 20 && report.rows("customers") == 3)
        let integrity = try #require(report.check("integrity")?.detail)
        #expect(integrity.contains("age: opened with identity 'ops-age', every 64 KiB payload chunk authenticated"), "\(integrity)")
        #expect(!report.text().contains(identity.secret))
    }

    /// `age --armor`, and an age file zipped by a script that zips whatever it pushes: the same layers, found by content.
    @Test func armoredAgeAndAgeInsideAZipAreOpened() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let (identity, recipient) = try await ageIdentity()
        let armored = tmp.url.appendingPathComponent("shop.sql.gz.age.asc")
        try await EncryptionTools.ageEncrypt(dump, to: recipient, output: armored, armor: true)
        #expect(try Data(contentsOf: armored).starts(with: Data("-----BEGIN AGE ENCRYPTED FILE-----".utf8)))
        let fromArmor = try await verify(armored, [identity])
        #expect(fromArmor.verdict == .passed, "\(fromArmor.text())")
        #expect(fromArmor.layers == ["age", "gzip"])

        let binary = tmp.url.appendingPathComponent("shop.sql.gz.age")
        try await EncryptionTools.ageEncrypt(dump, to: recipient, output: binary)
        let zip = try tmp.zip("backup.zip", entries: [("shop.sql.gz.age", try Data(contentsOf: binary)), ("README.txt", Data("nightly".utf8))])
        let zipped = try await verify(zip, [identity])
        #expect(zipped.verdict == .passed, "\(zipped.text())")
        #expect(zipped.layers == ["zip", "shop.sql.gz.age", "age", "gzip"])
        #expect(zipped.decryptedBy == "ops-age")
        #expect(zipped.rows("orders") == 20)
        // Without the identity the message names the entry.
        let closed = try await verify(zip, [])
        #expect(closed.verdict == .error, "\(closed.text())")
        #expect(closed.summary.hasPrefix("shop.sql.gz.age: age-encrypted (1 X25519 recipient)"), "\(closed.summary)")
    }

    /// `tar c dump.sql big.bin | age`: the restore reads the dump member and stops while age still has megabytes
    /// to write; the run ends promptly all the same (the tool is ended, not left on a full pipe).
    @Test(.timeLimit(.minutes(1)))
    func tarInsideAgeIsRestoredFromItsFirstMember() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let (identity, recipient) = try await ageIdentity()
        let staging = tmp.url.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try Data(contentsOf: DecoderFixtures.url("shop.sqlite.sql")).write(to: staging.appendingPathComponent("shop.sql"))
        try Data((0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }).write(to: staging.appendingPathComponent("big.bin"))
        let tar = tmp.url.appendingPathComponent("backup.tar")
        try await EncryptionTools.run("/usr/bin/tar", ["-C", staging.path, "-cf", tar.path, "shop.sql", "big.bin"])
        let sealed = tmp.url.appendingPathComponent("backup.tar.age")
        try await EncryptionTools.ageEncrypt(tar, to: recipient, output: sealed)
        let report = try await verify(sealed, [identity])
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.layers == ["age", "tar", "shop.sql"])
        #expect(report.rows("orders") == 20)
    }

    /// The server engines behind a decryption layer: `mysqldump | gzip | gpg -e` into MariaDB, and a directory-format
    /// `pg_dump -Fd` tarred, gzipped and `age`-encrypted into PostgreSQL (its members are read through age again).
    @Test(.enabled(if: EngineTestSupport.runMariaDB && EngineTestSupport.runPostgres, "needs mariadb-server and postgresql"))
    func serverEngineDumpsBehindEncryptionAreRestored() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let key = try await EncryptionTools.GnuPGKey.make(in: tmp.url)
        defer { Task { await key.remove() } }
        let gpgIdentity = try await DecryptionIdentity.inspect(name: "ops-gpg", text: key.secretArmored)
        let mariadb = tmp.url.appendingPathComponent("shop.mariadb.sql.gz.gpg")
        try await key.encrypt(DecoderFixtures.url("shop.mariadb.sql.gz"), output: mariadb)
        let fromGpg = try await verify(mariadb, [gpgIdentity])
        PgArchiveAndCompressedServerTests.expectShop(fromGpg, engine: "mariadb")
        #expect(fromGpg.layers == ["openpgp", "gzip"])

        let (ageIdentity, recipient) = try await ageIdentity()
        let postgres = tmp.url.appendingPathComponent("pg-dir.tar.gz.age")
        try await EncryptionTools.ageEncrypt(DecoderFixtures.url("pg-dir.tar.gz"), to: recipient, output: postgres)
        let fromAge = try await verify(postgres, [gpgIdentity, ageIdentity])
        PgArchiveAndCompressedServerTests.expectShop(fromAge, engine: "postgres")
        #expect(fromAge.format == "pg-dump-directory")
        #expect(fromAge.layers == ["age", "gzip", "tar", "shop/toc.dat"])
        #expect(fromAge.decryptedBy == "ops-age")
    }

    @Test func ageEncryptedDumpWithoutItsIdentityIsAnErrorSayingHowToAddOne() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let key = try await EncryptionTools.ageKeygen()
        let (other, _) = try await ageIdentity(named: "someone-else")
        let file = tmp.url.appendingPathComponent("shop.sql.gz.age")
        try await EncryptionTools.ageEncrypt(dump, to: key.recipient, output: file)
        let none = try await verify(file, [])
        #expect(none.verdict == .error, "\(none.text())")
        #expect(none.summary.hasPrefix("age-encrypted (1 X25519 recipient), and the feed holds no age identity: add the identity"), "\(none.summary)")
        #expect(none.summary.contains("PUT /api/decryption-keys/NAME"))
        // A stored identity age cannot read (damaged on disk) is the verifier's problem, named, never `failed`.
        let damaged = DecryptionIdentity(name: "damaged", kind: .age, secret: "AGE-SECRET-KEY-1QQQQ", recipients: [])
        let unreadable = try await verify(file, [damaged])
        #expect(unreadable.verdict == .error, "\(unreadable.text())")
        #expect(unreadable.summary == "the stored age identity 'damaged' cannot be read by age: store it again (PUT /api/decryption-keys/damaged)")
        let wrong = try await verify(file, [other])
        #expect(wrong.verdict == .error, "\(wrong.text())")
        #expect(wrong.summary.hasPrefix("age-encrypted (1 X25519 recipient), and none of the 1 stored age identity opens it"), "\(wrong.summary)")
        #expect(wrong.decryptedBy == nil)
    }

    @Test func modifiedOrTruncatedAgeCiphertextFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let (identity, recipient) = try await ageIdentity()
        let file = tmp.url.appendingPathComponent("shop.sql.gz.age")
        try await EncryptionTools.ageEncrypt(dump, to: recipient, output: file)
        var bytes = try Data(contentsOf: file)
        var flipped = bytes
        flipped[flipped.count - 40] ^= 0x01
        let flippedFile = try tmp.file("flipped.sql.gz.age", flipped)
        let modified = try await verify(flippedFile, [identity])
        #expect(modified.verdict == .failed, "\(modified.text())")
        #expect(modified.check("integrity")?.status == .failed)
        #expect(modified.summary.contains("age: the encrypted payload fails authentication"), "\(modified.summary)")
        #expect(modified.summary.contains("modified or truncated after encryption"))

        bytes.removeLast(30)
        let cutFile = try tmp.file("cut.sql.gz.age", bytes)
        let cut = try await verify(cutFile, [identity])
        #expect(cut.verdict == .failed, "\(cut.text())")
        #expect(cut.summary.contains("fails authentication"), "\(cut.summary)")

        let headerOnly = try tmp.file("header.sql.gz.age", try Data(contentsOf: file).prefix(70))
        let header = try await verify(headerOnly, [identity])
        #expect(header.verdict == .failed, "\(header.text())")
        #expect(header.summary.contains("age: the header is damaged or cut short"), "\(header.summary)")
    }

    @Test(arguments: [false, true])
    func gpgEncryptedDumpPassesWithItsSecretKey(armor: Bool) async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let key = try await EncryptionTools.GnuPGKey.make(in: tmp.url)
        defer { Task { await key.remove() } }
        let identity = try await DecryptionIdentity.inspect(name: "ops-gpg", text: key.secretArmored)
        #expect(identity.kind == .openpgp)
        #expect(identity.recipients.first == key.fingerprint)
        let file = tmp.url.appendingPathComponent(armor ? "shop.sql.gz.asc" : "shop.sql.gz.gpg")
        try await key.encrypt(dump, output: file, armor: armor)
        let report = try await verify(file, [identity])
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.layers == ["openpgp", "gzip"])
        #expect(report.decryptedBy == "ops-gpg")
        #expect(report.rows("orders") == 20)
        #expect(report.check("integrity")?.detail.contains("openpgp: opened with identity 'ops-gpg', modification detection code (MDC) verified") == true)
    }

    /// The verifier's private key directories (`backupfeed-keys-…` under the temp directory).
    static func keyDirectories() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? []).filter { $0.hasPrefix("backupfeed-keys-") })
    }

    /// Waits (briefly: other suites may be mid-run) until no key directory made since `before` is left.
    static func expectNoKeyDirectoriesLeft(since before: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var left = keyDirectories().subtracting(before)
        for _ in 0..<50 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            left = keyDirectories().subtracting(before)
        }
        #expect(left.isEmpty, "key directories left behind: \(left)", sourceLocation: sourceLocation)
    }

    @Test func gpgFailuresNameTheKeyOrTheDamage() async throws {
        let before = Self.keyDirectories()
        let tmp = try TempDir()
        defer { tmp.remove() }
        let key = try await EncryptionTools.GnuPGKey.make(in: tmp.url)
        defer { Task { await key.remove() } }
        let identity = try await DecryptionIdentity.inspect(name: "ops-gpg", text: key.secretArmored)
        let file = tmp.url.appendingPathComponent("shop.sql.gz.gpg")
        try await key.encrypt(dump, output: file)

        let none = try await verify(file, [])
        #expect(none.verdict == .error, "\(none.text())")
        // gpg names the encryption subkey's ID: the last 16 hex digits of its fingerprint.
        let subkey = try #require(identity.recipients.last)
        #expect(none.summary.contains("OpenPGP-encrypted to key ID \(subkey.suffix(16))"), "\(none.summary)")
        #expect(none.summary.contains("the feed holds no OpenPGP secret key: add the secret key"))

        var bytes = try Data(contentsOf: file)
        var flipped = bytes
        flipped[flipped.count - 30] ^= 0x01
        let modified = try await verify(try tmp.file("flipped.sql.gz.gpg", flipped), [identity])
        #expect(modified.verdict == .failed, "\(modified.text())")
        #expect(modified.summary.contains("OpenPGP: the message fails its integrity check (BADMDC"), "\(modified.summary)")

        bytes.removeLast(40)
        let cut = try await verify(try tmp.file("cut.sql.gz.gpg", bytes), [identity])
        #expect(cut.verdict == .failed, "\(cut.text())")
        #expect(cut.summary.contains("OpenPGP: "), "\(cut.summary)")
        // Every GNUPGHOME with the imported secret key is gone, gpg-agent's late socket removals notwithstanding.
        try await Self.expectNoKeyDirectoriesLeft(since: before)
    }

    @Test func keysTheToolsWouldNotUseAreRefusedWithTheReason() async throws {
        await #expect(throws: DecryptionKeyError.self) { try await DecryptionIdentity.inspect(name: "x", text: "hello") }
        await #expect(throws: DecryptionKeyError.self) {
            try await DecryptionIdentity.inspect(name: "x", text: "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ")
        }
        let tmp = try TempDir()
        defer { tmp.remove() }
        let key = try await EncryptionTools.GnuPGKey.make(in: tmp.url)
        defer { Task { await key.remove() } }
        let public_ = try await EncryptionTools.run("/usr/bin/gpg", ["--homedir", key.home.path, "--armor", "--export", key.fingerprint])
        do {
            _ = try await DecryptionIdentity.inspect(name: "x", text: public_)
            Issue.record("a public key was accepted")
        } catch let error as DecryptionKeyError {
            #expect(error.description.contains("public key"))
        }
    }

    /// A key directory whose server died is removed by the next start's sweep; a live process's is left alone.
    @Test func leftoverKeyDirectoriesOfDeadServersAreSwept() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        // A pid that certainly ended: a process that ran and was waited for.
        let finished = try await DecryptionTool.runSmall(DecryptionTool.configuration("/bin/sh", ["-c", "echo $$"]), input: "")
        let deadPid = try #require(Int32(finished.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let dead = tmp.url.appendingPathComponent("\(DecryptionWorkspace.prefix)\(deadPid)-abcdef")
        let alive = tmp.url.appendingPathComponent("\(DecryptionWorkspace.prefix)\(getpid())-ghijkl")
        for directory in [dead, alive] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("g"), withIntermediateDirectories: true)
            try "AGE-SECRET-KEY-1…".write(to: directory.appendingPathComponent("identity.txt"), atomically: true, encoding: .utf8)
        }
        #expect(await DecryptionLeftovers.sweep(in: tmp.url) == 1)
        #expect(!FileManager.default.fileExists(atPath: dead.path))
        #expect(FileManager.default.fileExists(atPath: alive.path))
    }

    /// Where the tools' key files live: a 0700 directory of the server's user under its own /tmp, which no sandbox
    /// mounts (each sandbox has an empty /tmp of its own).
    @Test func keyFilesArePrivateAndGoneAfterTheRun() async throws {
        let before = Self.keyDirectories()
        let workspace = try DecryptionWorkspace.create()
        let file = try workspace.writeSecret("AGE-SECRET-KEY-1…\n", named: "identity.txt")
        let directoryMode = try FileManager.default.attributesOfItem(atPath: workspace.directory.path)[.posixPermissions] as? Int
        let fileMode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)
        #expect(fileMode == 0o600)
        await workspace.remove()
        #expect(!FileManager.default.fileExists(atPath: workspace.directory.path))
        let tmp = try TempDir()
        defer { tmp.remove() }
        let (identity, recipient) = try await ageIdentity()
        let encrypted = tmp.url.appendingPathComponent("shop.sql.gz.age")
        try await EncryptionTools.ageEncrypt(dump, to: recipient, output: encrypted)
        #expect(try await verify(encrypted, [identity]).verdict == .passed)
        try await Self.expectNoKeyDirectoriesLeft(since: before)
    }
}
