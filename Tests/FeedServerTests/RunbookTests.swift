import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The scripts of docs/runbooks, run exactly as documented (`/bin/bash SCRIPT`, configured by environment variables
/// only) against the real `backupfeed serve` binary, which verifies what they push in its own disposable databases,
/// and against real MariaDB and PostgreSQL servers to dump from and restore into.
@Suite(.serialized) struct RunbookTests {
    static let admin = "API-RUNBOOKTESTADMIN0000000000000"
    /// A password the option file must quote and escape: a double quote, a backslash, a space and a #.
    static let trickyPassword = #"p"a\ss #word"#

    /// A server with a push key and a read key made the operator's way (`backupfeed keys create`).
    struct Feed {
        let server: ServerProcess
        let client: FeedClient
        let pushKey: String
        let readKey: String
        let data: URL
        var variables: [String: String] { ["BACKUPFEED_SERVER": server.baseURL] }

        static func start() async throws -> Feed {
            let data = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-runbook-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            do {
                let pushKey = try await createKey(data: data, name: "nightly-backup", scope: "push")
                let readKey = try await createKey(data: data, name: "runbooks", scope: "read")
                let server = try await ServerProcess(
                    dataDirectory: data, adminKey: admin, extraArguments: ["--sandbox-dir", Verification.sharedSandbox.path])
                return Feed(
                    server: server, client: FeedClient(baseURL: server.baseURL, pushKey: pushKey, readKey: readKey, adminKey: admin),
                    pushKey: pushKey, readKey: readKey, data: data)
            } catch {
                try? FileManager.default.removeItem(at: data)
                throw error
            }
        }

        private static func createKey(data: URL, name: String, scope: String) async throws -> String {
            let outcome = try await Runbook.execute(
                try ServerProcess.requireExecutable().path, ["keys", "create", "--data-dir", data.path, "--name", name, "--scope", scope],
                environment: ProcessInfo.processInfo.environment)
            guard outcome.succeeded else { throw RunbookDatabaseError.unexpected("keys create: \(outcome)") }
            return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func stop() {
            if server.process.isRunning { server.kill(signal: SIGTERM) }
            try? FileManager.default.removeItem(at: data)
        }

        /// The stored file of a version (DATA/blobs/sha256/ab/<hash>), to damage it behind the server's back.
        func blob(sha256: String) -> URL {
            data.appendingPathComponent("blobs/sha256/\(sha256.prefix(2))/\(sha256)")
        }
    }

    /// Versions of a package, newest first.
    static func versions(_ id: String, _ client: FeedClient) async throws -> [[String: Any]] {
        let reply = try await client.get("/api/packages/\(id)/versions")
        guard reply.status == 200 else { throw FeedClientError.status(reply.status, reply.body) }
        return reply.json["items"] as? [[String: Any]] ?? []
    }

    static func utcStamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy.MM.dd.HHmm"
        return formatter.string(from: date)
    }

    /// A zip grown to `size` bytes with an archive comment, still a valid zip: the server promises the recorded
    /// size in Content-Length, so a swapped file must keep it (a shorter one leaves the download waiting).
    static func padded(_ zip: Data, to size: Int) throws -> Data {
        let padding = size - zip.count
        // The end-of-central-directory record, without a comment, is the last 22 bytes; its last field is the
        // comment's length.
        guard padding >= 0, padding <= 0xFFFF, zip.count >= 22, zip.suffix(22).starts(with: [0x50, 0x4B, 0x05, 0x06]) else {
            throw RunbookDatabaseError.unexpected("cannot pad a zip of \(zip.count) bytes to \(size)")
        }
        var padded = zip
        padded[padded.count - 2] = UInt8(padding & 0xFF)
        padded[padded.count - 1] = UInt8(padding >> 8)
        padded.append(Data(repeating: 0x20, count: padding))
        return padded
    }

    @Test(.enabled(if: Verification.runServerProcess && Verification.runMariaDB, "needs the backupfeed executable and mariadb-server"))
    func mysqlBackupIsVerifiedAndOnlyAnIntactVerifiedVersionIsRestored() async throws {
        let feed = try await Feed.start()
        defer { feed.stop() }
        let id = "RunbookMaria"
        try await RunbookDatabase.with(.mariaDB, "petclinic") { source in
            try await source.load(Verification.petclinic("petclinic.mariadb.sql"))
            // Code that only --routines, --triggers and --events carry over, owned by the account that restores it.
            try await source.scalar("CREATE TRIGGER owners_trim BEFORE INSERT ON owners FOR EACH ROW SET NEW.last_name = TRIM(NEW.last_name)")
            try await source.scalar("CREATE PROCEDURE owner_count() SELECT COUNT(*) FROM owners")
            try await source.scalar("CREATE EVENT purge_nothing ON SCHEDULE EVERY 1 DAY DO DELETE FROM visits WHERE 1 = 0")
            // The backup connects as an account of its own, with a password that needs quoting in an option file.
            let password = Self.trickyPassword.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
            try await source.executeAsMariaDBRoot("""
                CREATE USER 'dumper'@'localhost' IDENTIFIED BY '\(password)';
                GRANT SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT ON *.* TO 'dumper'@'localhost';
                """)
            let sourceCounts = try await source.rowCounts()
            #expect(sourceCounts["owners"] == 10)

            try await RunbookDatabase.with(.mariaDB, "restored") { target in
                let restoreVariables = feed.variables.merging([
                    "BACKUPFEED_API_KEY": feed.readKey, "PACKAGE_ID": id, "MYSQL_DATABASE": target.database,
                ]) { $1 }

                // 1. Only a version that failed verification: nothing to restore.
                let truncated = try Verification.zip(
                    Data(try Data(contentsOf: Verification.petclinic("petclinic.mariadb.sql")).prefix(3000)), entry: "petclinic.sql")
                defer { Verification.discard(truncated) }
                try await feed.client.push(truncated, id: id, version: "1.0")
                let failed = try await feed.client.waitForVerdict(id, "1.0")
                #expect(failed.status == "failed", "\(failed)")
                let refused = try await Runbook.run("restore-latest-verified.sh", restoreVariables.merging(target.clientVariables()) { $1 })
                #expect(!refused.succeeded, "\(refused)")
                #expect(refused.stderr.contains("no verified version of \(id)"), "\(refused)")
                #expect(try await target.rowCounts().isEmpty, "the target was not touched")

                // 2. The backup runbook: dump, zip, push; the feed verifies it in its own MariaDB.
                let before = Self.utcStamp(Date())
                let backup = try await Runbook.run("backup-mysql.sh", feed.variables.merging([
                    "BACKUPFEED_API_KEY": feed.pushKey, "PACKAGE_ID": id, "MYSQL_DATABASE": source.database,
                    "MYSQL_SOCKET": source.socket, "MYSQL_USER": "dumper", "MYSQL_PASSWORD": Self.trickyPassword,
                ]) { $1 })
                let after = Self.utcStamp(Date())
                #expect(backup.succeeded, "\(backup)")
                let newest = try #require(try await Self.versions(id, feed.client).first)
                let version = try #require(newest["version"] as? String)
                #expect(version >= before && version <= after, "the default version is the UTC time of the run: \(version)")
                #expect(newest["filename"] as? String == "\(id).\(version).zip")
                #expect(backup.stdout.contains("pushed \(id) \(version)"), "\(backup)")
                let verdict = try await feed.client.waitForVerdict(id, version)
                #expect(verdict.status == "passed", "\(verdict)")
                let report = try #require(try await feed.client.reports(id, version).first)
                #expect(report.rows("owners") == 10, "\(report)")

                // 3. The stored file swapped behind the server's back after verification, for another valid zip
                //    holding a restorable dump: only the checksum tells, and the script must not restore it.
                let sha256 = try #require(newest["sha256"] as? String)
                let blob = feed.blob(sha256: sha256)
                let original = try Data(contentsOf: blob)
                let substitute = try Verification.zip(Data("-- MariaDB dump 10.19\nCREATE TABLE tampered (id INT);\n".utf8), entry: "petclinic.sql")
                defer { Verification.discard(substitute) }
                try Self.padded(Data(contentsOf: substitute), to: original.count).write(to: blob)
                let mismatch = try await Runbook.run("restore-latest-verified.sh", restoreVariables.merging(target.clientVariables()) { $1 })
                try original.write(to: blob)
                #expect(!mismatch.succeeded, "\(mismatch)")
                #expect(mismatch.stderr.contains("checksum mismatch"), "\(mismatch)")
                #expect(try await target.rowCounts().isEmpty, "the target was not touched")

                // 4. The restore runbook, connecting through an option file as the restoring account.
                let optionFile = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-my-\(UUID().uuidString).cnf")
                defer { try? FileManager.default.removeItem(at: optionFile) }
                try "[client]\nsocket=\(target.socket)\nuser=\(RunbookDatabase.restoringAccount)\n".write(to: optionFile, atomically: true, encoding: .utf8)
                let restore = try await Runbook.run("restore-latest-verified.sh", restoreVariables.merging(["MYSQL_DEFAULTS_FILE": optionFile.path]) { $1 })
                #expect(restore.succeeded, "\(restore)")
                #expect(restore.stdout.contains("restored \(id) \(version) (sha256 \(sha256))"), "\(restore)")
                let restoredCounts = try await target.rowCounts()
                #expect(restoredCounts == sourceCounts)
                #expect(restoredCounts["owners"] == 10)
                for (kind, table) in [("trigger", "triggers WHERE trigger_schema"), ("routine", "routines WHERE routine_schema"), ("event", "events WHERE event_schema")] {
                    let count = try await target.scalar("SELECT COUNT(*) FROM information_schema.\(table) = DATABASE()")
                    #expect(count == "1", "the \(kind) came along")
                }

                // 5. A second restore would land on tables that are there now: refused, the data left as it is.
                let again = try await Runbook.run("restore-latest-verified.sh", restoreVariables.merging(target.clientVariables()) { $1 })
                #expect(!again.succeeded, "\(again)")
                #expect(again.stderr.contains("already holds 7 table(s)"), "\(again)")
                #expect(try await target.rowCounts() == sourceCounts)
            }
        }
    }

    /// The encrypting variant, as documented: `AGE_RECIPIENT` streams the dump through gzip and `age -r`; the
    /// operator stores the identity with `backupfeed decryption-keys add` while the server runs, and the feed
    /// proves the ciphertext restorable without ever serving anything but the ciphertext.
    @Test(.enabled(
        if: Verification.runServerProcess && Verification.runMariaDB && (EncryptionKeys.available || Verification.isCI),
        "needs the backupfeed executable, mariadb-server and age"))
    func encryptedMysqlBackupIsVerifiedWithTheStoredIdentity() async throws {
        let feed = try await Feed.start()
        defer { feed.stop() }
        let id = "RunbookSealed"
        let key = try await EncryptionKeys.ageKeygen()
        let identityFile = feed.data.appendingPathComponent("operator-identity.txt")
        try key.identityFile.write(to: identityFile, atomically: true, encoding: .utf8)
        let executable = try ServerProcess.requireExecutable().path
        let added = try await Runbook.execute(
            executable, ["decryption-keys", "add", "--data-dir", feed.data.path, "backups-2026", identityFile.path],
            environment: ProcessInfo.processInfo.environment)
        #expect(added.succeeded, "\(added)")
        #expect(added.stdout.contains("added backups-2026 (age): \(key.recipient)"), "\(added)")
        #expect(!added.stdout.contains(key.secret) && !added.stderr.contains(key.secret))
        let listed = try await Runbook.execute(
            executable, ["decryption-keys", "list", "--data-dir", feed.data.path], environment: ProcessInfo.processInfo.environment)
        #expect(listed.stdout.contains("backups-2026\tage\t\(key.recipient)"), "\(listed)")
        #expect(!listed.stdout.contains(key.secret))

        try await RunbookDatabase.with(.mariaDB, "petclinic") { source in
            try await source.load(Verification.petclinic("petclinic.mariadb.sql"))
            let backup = try await Runbook.run("backup-mysql.sh", feed.variables.merging([
                "BACKUPFEED_API_KEY": feed.pushKey, "PACKAGE_ID": id, "MYSQL_DATABASE": source.database,
                "MYSQL_SOCKET": source.socket, "MYSQL_USER": "root", "PACKAGE_VERSION": "2026.12.02.0315",
                "AGE_RECIPIENT": key.recipient,
            ]) { $1 })
            #expect(backup.succeeded, "\(backup)")
            #expect(backup.stdout.contains("pushed \(id) 2026.12.02.0315"), "\(backup)")
            let metadata = try await feed.client.get("/api/packages/\(id)/2026.12.02.0315")
            #expect(metadata.json["filename"] as? String == "\(id).2026.12.02.0315.sql.gz.age", "\(metadata.body)")
            let verdict = try await feed.client.waitForVerdict(id, "2026.12.02.0315")
            #expect(verdict.status == "passed", "\(verdict)")
            let report = try #require(try await feed.client.reports(id, "2026.12.02.0315").first)
            #expect(report["layers"] as? [String] == ["age", "gzip"], "\(report)")
            #expect(report["decryptedBy"] as? String == "backups-2026")
            #expect(report.rows("owners") == 10, "\(report)")

            // The download is age ciphertext: what the feed stores is what was pushed.
            let target = feed.data.appendingPathComponent("download.age")
            let download = try await Curl.run([
                "-H", "X-Octopus-ApiKey: \(feed.readKey)", "-o", target.path, "\(feed.server.baseURL)/api/packages/\(id)/2026.12.02.0315/download",
            ])
            #expect(download.status == 200)
            #expect(try Data(contentsOf: target).starts(with: Data("age-encryption.org/v1\n".utf8)))

            // The restore runbook decrypts with the restore identity (here the same key), and refuses without one.
            try await RunbookDatabase.with(.mariaDB, "restored") { restored in
                let variables = feed.variables.merging(["BACKUPFEED_API_KEY": feed.readKey, "PACKAGE_ID": id]) { $1 }
                    .merging(restored.clientVariables()) { $1 }
                let locked = try await Runbook.run("restore-latest-verified.sh", variables)
                #expect(!locked.succeeded)
                #expect(locked.stderr.contains("is age-encrypted: set AGE_IDENTITY"), "\(locked)")
                #expect(try await restored.rowCounts().isEmpty, "the target was not touched")
                let restore = try await Runbook.run("restore-latest-verified.sh", variables.merging(["AGE_IDENTITY": identityFile.path]) { $1 })
                #expect(restore.succeeded, "\(restore)")
                #expect(restore.stderr.contains("decrypted with"), "\(restore)")
                #expect(try await restored.rowCounts()["owners"] == 10)
            }

            // A recipient that is not one is refused before anything is dumped.
            let refused = try await Runbook.run("backup-mysql.sh", feed.variables.merging([
                "BACKUPFEED_API_KEY": feed.pushKey, "PACKAGE_ID": id, "MYSQL_DATABASE": source.database,
                "MYSQL_SOCKET": source.socket, "MYSQL_USER": "root", "AGE_RECIPIENT": "not-a-recipient",
            ]) { $1 })
            #expect(!refused.succeeded)
            #expect(refused.stderr.contains("AGE_RECIPIENT 'not-a-recipient' is not an age recipient"), "\(refused)")
        }
    }

    @Test(.enabled(if: Verification.runServerProcess && Verification.runPostgres, "needs the backupfeed executable and postgresql"))
    func postgresBackupIsVerifiedAndRestoredByPgRestoreOrPsql() async throws {
        let feed = try await Feed.start()
        defer { feed.stop() }
        let id = "RunbookPg"
        try await RunbookDatabase.with(.postgres, "petclinic") { source in
            try await source.load(Verification.petclinic("petclinic.pg.sql"))
            let sourceCounts = try await source.rowCounts()
            #expect(sourceCounts["owners"] == 10)

            // The backup runbook: pg_dump -Fc pushed as a bare .dump; the feed verifies it in its own PostgreSQL.
            let backup = try await Runbook.run("backup-postgres.sh", feed.variables.merging([
                "BACKUPFEED_API_KEY": feed.pushKey, "PACKAGE_ID": id, "PACKAGE_VERSION": "2026.11.24.0315",
            ]) { $1 }.merging(source.clientVariables()) { $1 })
            #expect(backup.succeeded, "\(backup)")
            #expect(backup.stdout.contains("pushed \(id) 2026.11.24.0315"), "\(backup)")
            let metadata = try await feed.client.get("/api/packages/\(id)/2026.11.24.0315")
            #expect(metadata.json["filename"] as? String == "\(id).2026.11.24.0315.dump", "\(metadata.body)")
            let verdict = try await feed.client.waitForVerdict(id, "2026.11.24.0315")
            #expect(verdict.status == "passed", "\(verdict)")
            #expect(try await feed.client.reports(id, "2026.11.24.0315").first?.rows("owners") == 10)

            let common = feed.variables.merging(["BACKUPFEED_API_KEY": feed.readKey, "PACKAGE_ID": id]) { $1 }
            // A custom-format archive goes through pg_restore, as the restoring role that owns the target.
            try await RunbookDatabase.with(.postgres, "restored") { target in
                let restore = try await Runbook.run("restore-latest-verified.sh", common.merging(target.clientVariables()) { $1 })
                #expect(restore.succeeded, "\(restore)")
                #expect(restore.stderr.contains("pg_restore"), "\(restore)")
                #expect(restore.stdout.contains("restored \(id) 2026.11.24.0315"), "\(restore)")
                #expect(try await target.rowCounts() == sourceCounts)
            }

            // A newer verified version holding a zipped plain pg_dump script goes through psql; the fixture sets
            // table owners to postgres, so it is restored by the superuser.
            let plain = try Verification.zip(file: Verification.petclinic("petclinic.pg.sql"))
            defer { Verification.discard(plain) }
            try await feed.client.push(plain, id: id, version: "2026.11.24.0316")
            #expect(try await feed.client.waitForVerdict(id, "2026.11.24.0316").status == "passed")
            try await RunbookDatabase.with(.postgres, "plain") { target in
                let restore = try await Runbook.run("restore-latest-verified.sh", common.merging(target.clientVariables(user: "postgres")) { $1 })
                #expect(restore.succeeded, "\(restore)")
                #expect(restore.stderr.contains("plain pg_dump script"), "\(restore)")
                #expect(restore.stdout.contains("restored \(id) 2026.11.24.0316"), "\(restore)")
                #expect(try await target.rowCounts() == sourceCounts)
            }

            // Encrypted (AGE_RECIPIENT): pg_dump | age, verified with the identity stored over the API, restored
            // by pg_restore once the restore runbook has decrypted it with AGE_IDENTITY.
            if EncryptionKeys.available || Verification.isCI {
                let key = try await EncryptionKeys.ageKeygen()
                let stored = try await feed.client.request(
                    "PUT", "/api/decryption-keys/pg-backups", key: feed.client.adminKey, body: key.identityFile, contentType: "text/plain")
                #expect(stored.status == 201, "\(stored.body)")
                let sealed = try await Runbook.run("backup-postgres.sh", feed.variables.merging([
                    "BACKUPFEED_API_KEY": feed.pushKey, "PACKAGE_ID": id, "PACKAGE_VERSION": "2026.11.24.0317", "AGE_RECIPIENT": key.recipient,
                ]) { $1 }.merging(source.clientVariables()) { $1 })
                #expect(sealed.succeeded, "\(sealed)")
                let metadata = try await feed.client.get("/api/packages/\(id)/2026.11.24.0317")
                #expect(metadata.json["filename"] as? String == "\(id).2026.11.24.0317.dump.age", "\(metadata.body)")
                #expect(try await feed.client.waitForVerdict(id, "2026.11.24.0317").status == "passed")
                let report = try #require(try await feed.client.reports(id, "2026.11.24.0317").first)
                #expect(report["layers"] as? [String] == ["age"], "\(report)")
                #expect(report["decryptedBy"] as? String == "pg-backups")
                let identityFile = feed.data.appendingPathComponent("restore-identity.txt")
                try key.identityFile.write(to: identityFile, atomically: true, encoding: .utf8)
                try await RunbookDatabase.with(.postgres, "sealed") { target in
                    let restore = try await Runbook.run(
                        "restore-latest-verified.sh", common.merging(target.clientVariables()) { $1 }.merging(["AGE_IDENTITY": identityFile.path]) { $1 })
                    #expect(restore.succeeded, "\(restore)")
                    #expect(restore.stderr.contains("pg_restore"), "\(restore)")
                    #expect(try await target.rowCounts() == sourceCounts)
                }
            }
        }
    }
}
