import Foundation
import Testing
@testable import BackupVerifier

@Suite struct SQLiteEndToEndTests {
    static func expectPetclinic(_ report: VerificationReport) {
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.rows("owners") == 10)
        #expect(report.rows("pets") == 13)
        #expect(report.rows("visits") == 4)
        #expect(report.rows("vets") == 6)
        #expect(report.engine?.name == "sqlite")
        #expect(report.check("teardown")?.status == .passed)
    }

    @Test func zippedDumpPasses() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let zip = try tmp.zip("PetClinicDB.2022.06.20.zip", entries: [("dump.sql", try Fixtures.data("petclinic/dumps/petclinic.sqlite.sql"))])
        let work = tmp.url.appendingPathComponent("work")
        let report = await BackupVerifier.sqliteOnly(root: work).verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        Self.expectPetclinic(report)
        #expect(report.format == "sqlite-dump")
        #expect(report.dumpEntry == "dump.sql")
        #expect(report.check("completeness")?.status == .passed)
        // Teardown leaves nothing: no run directory remains under the work root.
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty)
    }

    @Test func bareAndZippedDatabaseFilesPass() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let database = try Fixtures.data("petclinic/dumps/petclinic.sqlite")
        let bare = try tmp.file("PetClinicDB.1.sqlite", database)
        let zip = try tmp.zip("PetClinicDB.2.zip", entries: [("petclinic.sqlite", database)])
        let verifier = BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
        for file in [bare, zip] {
            let report = await verifier.verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
            Self.expectPetclinic(report)
            #expect(report.format == "sqlite-file")
            #expect(report.logExcerpt.contains("integrity_check: ok"))
        }
    }

    @Test func corruptDatabaseFileFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        var database = try Fixtures.data("petclinic/dumps/petclinic.sqlite")
        // Break the b-tree page headers after the schema page, so the file opens but integrity_check finds damage.
        for page in 1..<9 { database[page * 4096] = 0x01 }
        let file = try tmp.file("PetClinicDB.3.sqlite", database)
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed, "\(report.text())")
    }

    @Test func realworldPiholeDumpPasses() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work")).verify(
            file: Fixtures.url("realworld/sqlite-dump-pihole-gravity-v1.sql"), expectedSHA256:
                "6f9d719e855a5fca60f336472cef12769d12a59d5befaea4b1be8705c16b3660", policy: .default, previous: nil)
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.tables.count == 6)
        #expect(report.check("integrity")?.detail.hasPrefix("SHA-256 matches") == true)
    }

    @Test func truncatedDumpFailsBeforeRestore() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let text = String(decoding: try Fixtures.data("petclinic/dumps/petclinic.sqlite.sql"), as: UTF8.self)
        let cut = String(text[..<text.range(of: "INSERT INTO pets VALUES(3")!.upperBound])
        let zip = try tmp.zip("PetClinicDB.4.zip", entries: [("dump.sql", Data(cut.utf8))])
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.summary.hasPrefix("dump ends in the middle of a statement at line"))
        #expect(report.summary.hasSuffix(": truncated"))
        #expect(report.check("restore")?.status == .skipped)
    }

    @Test func brokenStatementFailsTheRestoreNamingTheLine() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dump = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE a(x);\nINSERT INTO b VALUES(1);\nCOMMIT;\n"
        let file = try tmp.file("x.1.sql", Data(dump.utf8))
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.summary == "statement at line 4 (INSERT INTO) failed: no such table: b")
    }

    @Test func missingEngineIsAnErrorNamingThePackage() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work")).verify(
            file: Fixtures.url("petclinic/dumps/petclinic.mariadb.sql"), expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .error)
        #expect(report.summary.contains("install mariadb-server"))
    }

    @Test func dumpWithoutTablesFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let file = try tmp.file("x.1.sql", Data("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCOMMIT;\n".utf8))
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.check("tables")?.status == .failed)
        #expect(report.summary == "the restore produced no tables")
    }

    /// sqlite3 .dump writes virtual tables straight into sqlite_schema; one whose module is missing restores
    /// but cannot be read, which the readable check must catch.
    @Test func unreadableTableFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dump = """
            PRAGMA foreign_keys=OFF;
            BEGIN TRANSACTION;
            CREATE TABLE a(x);
            INSERT INTO a VALUES(1);
            PRAGMA writable_schema=ON;
            INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','v','v',0,'CREATE VIRTUAL TABLE v USING nosuchmodule(y)');
            PRAGMA writable_schema=OFF;
            COMMIT;

            """
        let file = try tmp.file("x.1.sql", Data(dump.utf8))
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.check("readable")?.status == .failed)
        #expect(report.summary.hasPrefix("table v cannot be read: no such module: nosuchmodule"))
    }

    /// Text that is not valid UTF-8 reaches SQLite byte for byte (a String round trip would turn each bad byte
    /// into the 3-byte U+FFFD and change the data).
    @Test func invalidUTF8TextIsRestoredUnchanged() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        var dump = Data("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a TEXT);\n-- note\nINSERT INTO t VALUES('".utf8)
        dump.append(contentsOf: [0xFF, 0xFE])
        dump.append(Data("');\nCOMMIT;\n".utf8))
        let file = try tmp.file("x.1.sql", dump)
        let policy = VerificationPolicy(checks: [PolicyCheck(name: "bytes", sql: "SELECT length(CAST(a AS BLOB)) FROM t", expect: "== 2")])
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: file, expectedSHA256: nil, policy: policy, previous: nil)
        #expect(report.verdict == .passed, "\(report.text())")
    }

    @Test func keywordSkipsLeadingComments() {
        #expect(SQLiteStatementFeeder.keyword(of: "-- note\n\nINSERT INTO t VALUES(1);") == "INSERT INTO")
        #expect(SQLiteStatementFeeder.keyword(of: "VACUUM INTO '/tmp/x';") == "VACUUM INTO")
    }
}
