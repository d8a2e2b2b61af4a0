import Foundation
import Testing
@testable import BackupVerifier

@Suite struct DetectionTests {
    static let expected: [(String, DumpFormat)] = [
        ("petclinic/dumps/petclinic.mariadb.sql", .mysqlDump),
        ("petclinic/dumps/petclinic.pg.sql", .pgPlain),
        ("petclinic/dumps/petclinic.pg.dump", .pgCustom),
        ("petclinic/dumps/petclinic.sqlite.sql", .sqliteDump),
        ("petclinic/dumps/petclinic.sqlite", .sqliteFile),
        ("realworld/mariadb-10.11-sandbox-emoji.sql", .mysqlDump),
        ("realworld/mariadb-10.4-win-trigger.sql", .mysqlDump),
        ("realworld/mysql57-utf8mb3-chinese-comments.sql", .mysqlDump),
        ("realworld/mysql80-procedures-cyrillic-demo.sql", .mysqlDump),
        ("realworld/mysql80-triggers-macos-mixedcase.sql", .mysqlDump),
        ("realworld/mysql80-utf8mb4-0900-cyrillic-books.sql", .mysqlDump),
        ("realworld/mysql80-views-definer-spanish-identifiers.sql", .mysqlDump),
        ("realworld/pg14-copy-owner-role.sql", .pgPlain),
        ("realworld/pg15-pgadmin-toc-copy-books.sql", .pgPlain),
        ("realworld/pg17-restrict-transaction-timeout.sql", .pgPlain),
        ("realworld/sqlite-dump-pihole-gravity-v1.sql", .sqliteDump),
    ]

    @Test(arguments: expected)
    func detectsFixture(path: String, format: DumpFormat) throws {
        let head = [UInt8](try Fixtures.data(path).prefix(FormatDetector.headSize))
        #expect(FormatDetector.detect(head: head).format == format)
    }

    @Test func unknownTextAndBinaryAreRejectedWithAReason() {
        let text = FormatDetector.detect(head: Array("hello, this is a shopping list\n".utf8))
        #expect(text.format == nil)
        #expect(text.evidence.contains("no mysqldump, pg_dump or sqlite3 .dump header"))
        let gzip = FormatDetector.detect(head: [0x1F, 0x8B, 8, 0, 0, 0])
        #expect(gzip.format == nil)
        #expect(gzip.evidence.contains("gzip"))
    }

    @Test func locatorPicksTheSingleDumpAndIgnoresClutter() {
        let entries = [
            ZipEntry(index: 0, name: "__MACOSX/._dump.sql", size: 10), ZipEntry(index: 1, name: "backup/", size: 0),
            ZipEntry(index: 2, name: "backup/README.txt", size: 5), ZipEntry(index: 3, name: "backup/dump.sql", size: 100),
        ]
        #expect(DumpLocator.locate(in: entries, named: nil) == .found(entries[3]))
    }

    @Test func locatorRefusesAmbiguityNamingTheCandidates() {
        let entries = [ZipEntry(index: 0, name: "a.sql", size: 1), ZipEntry(index: 1, name: "b.sql", size: 1)]
        guard case .failed(let reason) = DumpLocator.locate(in: entries, named: nil) else {
            Issue.record("ambiguous archive was accepted")
            return
        }
        #expect(reason.contains("a.sql") && reason.contains("b.sql") && reason.contains("\"dump\""))
        #expect(DumpLocator.locate(in: entries, named: "b.sql") == .found(entries[1]))
        guard case .failed(let missing) = DumpLocator.locate(in: entries, named: "c.sql") else {
            Issue.record("missing named entry was accepted")
            return
        }
        #expect(missing.contains("c.sql"))
    }
}
