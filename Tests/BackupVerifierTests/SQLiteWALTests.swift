import Foundation
import Testing
@testable import BackupVerifier

/// A SQLite database in WAL mode keeps its newest transactions in `X-wal` until a checkpoint: pushed together,
/// the log is replayed and its rows counted; a log or a shared-memory index alone is named for what it is.
/// The files are made by the real sqlite3 and copied while its connection still holds them open.
@Suite struct SQLiteWALTests {
    /// `app.db` with 3 rows checkpointed into it and 2 more only in `app.db-wal` (and its `app.db-shm`).
    static func walDatabase(in tmp: TempDir) throws -> (db: Data, wal: Data, shm: Data) {
        let scratch = tmp.url.appendingPathComponent("wal-\(UUID().uuidString.prefix(6))")
        let copies = scratch.appendingPathComponent("copies")
        try FileManager.default.createDirectory(at: copies, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.currentDirectoryURL = scratch
        process.arguments = [
            "app.db", "PRAGMA journal_mode=WAL;", "PRAGMA wal_autocheckpoint=0;", "CREATE TABLE t(a);",
            "INSERT INTO t VALUES(1),(2),(3);", "PRAGMA wal_checkpoint(TRUNCATE);", "INSERT INTO t VALUES(4),(5);",
            // Copied while this connection holds the database open: the last two rows are only in the log.
            ".system cp app.db app.db-wal app.db-shm copies/",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        let read = { (name: String) in try Data(contentsOf: copies.appendingPathComponent(name)) }
        return (try read("app.db"), try read("app.db-wal"), try read("app.db-shm"))
    }

    @Test(arguments: [false, true])
    func walBesideItsDatabaseIsReplayed(withSharedMemory: Bool) async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let files = try Self.walDatabase(in: tmp)
        var entries = [("app.db", files.db), ("app.db-wal", files.wal)]
        if withSharedMemory { entries.append(("app.db-shm", files.shm)) }
        let zip = try tmp.zip("App.1.zip", entries: entries)
        let work = tmp.url.appendingPathComponent("work")
        let report = await BackupVerifier.sqliteOnly(root: work).verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.format == DumpFormat.sqliteFile.rawValue)
        #expect(report.rows("t") == 5, "the rows only in the WAL must be counted: \(report.tables)")
        #expect(report.logExcerpt.contains("write-ahead log app.db-wal replayed (1 frame)"), "\(report.logExcerpt)")
        try SQLiteChildProbe.expectNothingLeft(in: work)
    }

    /// Without its log the same database has only the checkpointed rows: proof the test above replays it.
    @Test func databaseWithoutItsWALHasOnlyCheckpointedRows() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let files = try Self.walDatabase(in: tmp)
        let zip = try tmp.zip("App.1.zip", entries: [("app.db", files.db)])
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.rows("t") == 3)
    }

    @Test(arguments: [true, false])
    func walAloneFails(zipped: Bool) async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let files = try Self.walDatabase(in: tmp)
        let file = zipped ? try tmp.zip("App.1.zip", entries: [("app.db-wal", files.wal)]) : try tmp.file("App.1.db", files.wal)
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.check("detect")?.status == .failed)
        #expect(report.summary.contains("a SQLite write-ahead log (-wal) without its database"), "\(report.summary)")
    }

    /// A `-shm` renamed `.db` (or zipped with its log but without the database) is not a database.
    @Test(arguments: ["bare", "zipped", "with its log"])
    func sharedMemoryIndexFails(how: String) async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let files = try Self.walDatabase(in: tmp)
        let file: URL = switch how {
        case "bare": try tmp.file("App.1.db", files.shm)
        case "zipped": try tmp.zip("App.1.zip", entries: [("app.db", files.shm)])
        default: try tmp.zip("App.1.zip", entries: [("app.db-shm", files.shm), ("app.db-wal", files.wal)])
        }
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed, "\(report.text())")
        let expected = how == "with its log" ? "a SQLite write-ahead log (-wal) without its database" : "a SQLite shared-memory index (-shm), not a database"
        #expect(report.summary.contains(expected), "\(report.summary)")
    }

    @Test func locatorPairsADatabaseWithItsSidecars() {
        func entries(_ names: [String]) -> [ZipEntry] { names.enumerated().map { ZipEntry(index: UInt64($0), name: $1, size: 1) } }
        #expect(DumpLocator.locate(in: entries(["app.db", "app.db-wal"]), named: nil) == .found(ZipEntry(index: 0, name: "app.db", size: 1)))
        #expect(DumpLocator.locate(in: entries(["app.db-shm", "app.db-wal", "app.db"]), named: nil) == .found(ZipEntry(index: 2, name: "app.db", size: 1)))
        #expect(DumpLocator.locate(in: entries(["data/x.sqlite", "data/x.sqlite-wal"]), named: nil) == .found(ZipEntry(index: 0, name: "data/x.sqlite", size: 1)))
        // A log whose database is not there is the only candidate, and detection then names it.
        #expect(DumpLocator.locate(in: entries(["other.db-wal"]), named: nil) == .found(ZipEntry(index: 0, name: "other.db-wal", size: 1)))
    }

    @Test func sidecarsAreKnownByContent() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let files = try Self.walDatabase(in: tmp)
        #expect(FormatDetector.detect(head: Array(files.wal)).format == nil)
        #expect(FormatDetector.detect(head: Array(files.wal)).evidence.contains("write-ahead log"))
        #expect(FormatDetector.detect(head: Array(files.shm)).evidence.contains("shared-memory index"))
        #expect(FormatDetector.detect(head: Array(files.db)).format == .sqliteFile)
        #expect(SQLiteSidecarFiles.frameCount(head: Array(files.wal.prefix(32)), size: Int64(files.wal.count)) == 1)
    }
}
