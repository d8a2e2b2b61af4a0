import Foundation
import Logging
import Testing

@testable import BackupVerifier

/// Files that are no backup get a reason naming what they are; through detection and through the whole pipeline.
struct NotABackupTests {
    func detect(_ text: String) -> (DumpFormat?, String) {
        let result = FormatDetector.detect(head: Array(text.utf8))
        return (result.format, result.evidence)
    }

    @Test func anEmptyFileSaysSo() {
        let result = FormatDetector.detect(head: [])
        #expect(result.format == nil)
        #expect(result.evidence.hasPrefix("the file is empty (0 bytes)"))
    }

    @Test func anHTMLLoginPageIsNamedWithItsTitle() {
        let page = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Sign in · Backups</title></head>
            <body><form method="post" action="/login"><input name="user"></form></body></html>
            """
        let (format, reason) = detect(page)
        #expect(format == nil)
        #expect(reason.hasPrefix("an HTML page (\"Sign in · Backups\"), not a backup"))
        #expect(detect("\n\n  <html><body>Bad gateway</body></html>").1.hasPrefix("an HTML page, not a backup"))
    }

    @Test func aGitLFSPointerSaysTheDumpWasNeverStored() {
        let pointer = """
            version https://git-lfs.github.com/spec/v1
            oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393
            size 12345678

            """
        let (format, reason) = detect(pointer)
        #expect(format == nil)
        #expect(reason.hasPrefix("a Git LFS pointer (to sha256:4d7a214614ab2… of 11.8 MiB): the dump itself was never stored"), "\(reason)")
        #expect(reason.contains("git lfs pull"))
    }

    @Test func aJSONErrorBodyIsNamedWithItsMessage() {
        let (format, reason) = detect(#"{"error": "Unauthorized", "statusCode": 401}"#)
        #expect(format == nil)
        #expect(reason == #"a JSON document ("error": "Unauthorized"), not a backup: probably an API's error response saved in place of the dump (JSON exports are not restorable dumps)"#)
        let nested = detect(#"{"error": {"code": 403, "message": "The caller does not have permission"}}"#).1
        #expect(nested.contains(#""error": "The caller does not have permission""#))
        // A cut JSON head (a big document) still starts like an object with a quoted key.
        #expect(detect("{\n  \"items\": [1, 2, ").1.hasPrefix("a JSON document, not a backup"))
    }

    @Test func utf16DumpsFromPowerShellNameTheEncodingAndTheFix() throws {
        let dump = try String(contentsOf: MySQLFixtures.url("mysql57-gtid-commented-sql-log-bin.sql"), encoding: .utf8)
        for (bom, encoding, name) in [([UInt8](arrayLiteral: 0xFF, 0xFE), String.Encoding.utf16LittleEndian, "UTF-16LE"),
                                      ([0xFE, 0xFF], .utf16BigEndian, "UTF-16BE")] {
            let bytes = bom + [UInt8](try #require(dump.data(using: encoding)))
            let result = FormatDetector.detect(head: Array(bytes.prefix(FormatDetector.headSize)))
            #expect(result.format == nil)
            #expect(result.evidence.hasPrefix("a SQL dump saved as \(name) text: restore clients read UTF-8 only"), "\(result.evidence)")
            #expect(result.evidence.contains("--result-file=") && result.evidence.contains("iconv -f \(name) -t UTF-8"))
        }
    }

    @Test func aZipOfSourceCodeIsNamedButADumpWithNotesIsNot() {
        let code = ["app/src/index.js", "app/package.json", "app/README.md", "app/src/db.js", "app/.gitignore"]
            .enumerated().map { ZipEntry(index: UInt64($0.offset), name: $0.element, size: 10) }
        guard case .failed(let reason) = DumpLocator.locate(in: code, named: nil) else {
            Issue.record("a zip of source code was taken for a dump")
            return
        }
        #expect(reason.hasPrefix("an archive of 5 files that looks like source code (app/src/index.js, "), "\(reason)")
        #expect(reason.hasSuffix("not a backup: none of its entries is a dump"))
        let dump = [ZipEntry(index: 0, name: "backup/db.sql", size: 10), ZipEntry(index: 1, name: "backup/notes.md", size: 10)]
        #expect(DumpLocator.locate(in: dump, named: nil) == .found(dump[0]))
    }

    @Test func realDumpsAreNotMistakenForAnything() throws {
        for name in ["mysql80-worldx-collections.sql", "adminer-4.8.1-mysql80-encryption.sql", "phpmyadmin-4.8.4-mariadb-10.1-test.sql"] {
            let head = [UInt8](try Data(contentsOf: MySQLFixtures.url(name)).prefix(FormatDetector.headSize))
            #expect(NotABackup.identify(head: head) == nil, "\(name)")
            #expect(FormatDetector.detect(head: head).format == .mysqlDump, "\(name)")
        }
    }

    /// The whole pipeline on bare files: the verdict is `failed` and the reason names what the file is, whatever its name.
    @Test(arguments: [
        ("backup.tar.gz", Data("<!doctype html><html><head><title>Login</title></head><body></body></html>".utf8), "an HTML page (\"Login\")"),
        ("PetClinicDB.2022.06.20.sql", Data(), "the file is empty (0 bytes)"),
        ("dump.sql.gz", Data("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 10\n".utf8), "a Git LFS pointer"),
        ("db.sql", Data(#"{"message":"Not Found"}"#.utf8), "a JSON document (\"message\": \"Not Found\")"),
    ])
    func thePipelineFailsNamingWhatTheFileIs(name: String, content: Data, expected: String) async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let file = try tmp.file(name, content)
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = await ServerEnginePipelineTests.verifier(work: work).verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.check("detect")?.status == .failed)
        #expect(report.summary.contains(expected), "\(report.summary)")
    }

    /// A chosen engine does not make an empty file a dump of that engine's dialect.
    @Test func anExplicitEngineDoesNotHideAnEmptyFile() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let file = try tmp.file("db.sql", Data())
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = await ServerEnginePipelineTests.verifier(work: work).verify(
            file: file, expectedSHA256: nil, policy: VerificationPolicy(engine: .mariadb), previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.summary.contains("the file is empty (0 bytes)"), "\(report.summary)")
    }
}
