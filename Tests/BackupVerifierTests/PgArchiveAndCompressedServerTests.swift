import Foundation
import Testing
@testable import BackupVerifier

/// Compressed, tarred and multi-member dumps restored into real MariaDB and PostgreSQL servers: the verdict
/// depends on the engine loading them, so these run the engines (see MariaDBPostgresTestSupport).
@Suite(.serialized) struct PgArchiveAndCompressedServerTests {
    static func expectShop(_ report: VerificationReport, engine: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(report.verdict == .passed, "\(report.text())", sourceLocation: sourceLocation)
        #expect(report.engine?.name == engine, sourceLocation: sourceLocation)
        #expect(report.rows("customers") == 3 && report.rows("orders") == 20, "\(report.tables)", sourceLocation: sourceLocation)
    }

    // MARK: MariaDB

    @Test(.enabled(if: EngineTestSupport.runMariaDB), arguments: DecoderFixtures.compressors)
    func compressedMariaDBDumpIsRestored(ext: String) async throws {
        let report = try await DecoderFixtures.verify(fixture: "shop.mariadb.sql.\(ext)")
        Self.expectShop(report, engine: "mariadb")
        #expect(report.layers == [DecoderFixtures.layerName[ext]!])
        #expect(report.format == "mysql-dump")
        #expect(report.check("completeness")?.detail.hasPrefix("ends with \"-- Dump completed\"") == true)
    }

    /// `mysqldump | gzip > shop.sql.gz`, zipped with a README: the README is clutter, the .sql.gz is the dump.
    @Test(.enabled(if: EngineTestSupport.runMariaDB))
    func gzippedMariaDBDumpInAZipWithAReadmeIsRestored() async throws {
        let report = try await DecoderFixtures.verify(fixture: "mariadb-gz-in-zip.zip")
        Self.expectShop(report, engine: "mariadb")
        #expect(report.layers == ["zip", "shop.sql.gz", "gzip"])
        #expect(report.dumpEntry == "shop.sql.gz")
    }

    /// A gzip stream cut inside the dump's text: the decoder's truncation decides, before the engine sees it.
    @Test(.enabled(if: EngineTestSupport.runMariaDB))
    func truncatedGzippedMariaDBDumpFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let report = try await DecoderFixtures.verify(try DecoderFixtures.truncated("shop.mariadb.sql.gz", keep: -9, in: tmp))
        #expect(report.verdict == .failed)
        #expect(report.summary.hasPrefix("gzip stream ends early after "), "\(report.summary)")
        #expect(report.summary.hasSuffix(": truncated"))
    }

    // MARK: PostgreSQL plain dumps through layers

    @Test(.enabled(if: EngineTestSupport.runPostgres), arguments: DecoderFixtures.compressors)
    func compressedPostgresDumpIsRestored(ext: String) async throws {
        let report = try await DecoderFixtures.verify(fixture: "shop.pg.sql.\(ext)")
        Self.expectShop(report, engine: "postgres")
        #expect(report.layers == [DecoderFixtures.layerName[ext]!])
        #expect(report.format == "pg-dump-plain")
    }

    /// A pax tar compressed with zstd, holding the dump and a notes file.
    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func plainDumpInATarZstIsRestored() async throws {
        let report = try await DecoderFixtures.verify(fixture: "pg-sql.tar.zst")
        Self.expectShop(report, engine: "postgres")
        #expect(report.layers == ["zstd", "tar", "shop.sql"])
        #expect(report.check("integrity")?.detail.contains("tar: 2 members whole") == true, "\(report.text())")
    }

    /// A custom-format archive inside a tar.gz: any dump may sit in a tar.
    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func customArchiveInATarGzIsRestored() async throws {
        let report = try await DecoderFixtures.verify(fixture: "pg-custom.tar.gz")
        Self.expectShop(report, engine: "postgres")
        #expect(report.layers == ["gzip", "tar", "shop.dump"])
        #expect(report.format == "pg-dump-custom")
    }

    // MARK: pg_dump tar format

    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func tarFormatArchiveIsRestoredWithPgRestore() async throws {
        let report = try await DecoderFixtures.verify(fixture: "shop.pg.tar")
        Self.expectShop(report, engine: "postgres")
        #expect(report.format == "pg-dump-tar")
        #expect(report.layers == ["tar", "toc.dat"])
        #expect(report.dumpEntry == "shop.pg.tar")
        #expect(report.check("detect")?.detail.contains("pg_dump tar format (-Ft)") == true, "\(report.text())")
    }

    /// dvdrental.zip's shape: a zip holding the -Ft tar.
    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func zippedTarFormatArchiveIsRestored() async throws {
        let report = try await DecoderFixtures.verify(fixture: "pg-tar-in-zip.zip")
        Self.expectShop(report, engine: "postgres")
        #expect(report.format == "pg-dump-tar")
        #expect(report.layers == ["zip", "shop.tar", "tar", "toc.dat"])
        #expect(report.dumpEntry == "shop.tar")
    }

    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func gzippedTarFormatArchiveInAZipIsRestored() async throws {
        let report = try await DecoderFixtures.verify(fixture: "pg-nested.zip")
        Self.expectShop(report, engine: "postgres")
        #expect(report.layers == ["zip", "dump.tar.gz", "gzip", "tar", "toc.dat"])
    }

    /// A tar-format archive cut short: the tar layer names the member.
    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func truncatedTarFormatArchiveFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let report = try await DecoderFixtures.verify(try DecoderFixtures.truncated("shop.pg.tar", keep: 3000, in: tmp))
        #expect(report.verdict == .failed)
        #expect(report.summary == "tar: entry toc.dat truncated (holds 2488 of its 5156 bytes)")
    }

    // MARK: pg_dump directory format

    @Test(.enabled(if: EngineTestSupport.runPostgres), arguments: ["pg-dir.zip", "pg-dir.tar.gz"])
    func directoryFormatArchiveIsRestoredFromADirectory(fixture: String) async throws {
        let report = try await DecoderFixtures.verify(fixture: fixture)
        Self.expectShop(report, engine: "postgres")
        #expect(report.format == "pg-dump-directory")
        #expect(report.dumpEntry == "shop/")
        #expect(report.layers == (fixture.hasSuffix(".zip") ? ["zip", "shop/toc.dat"] : ["gzip", "tar", "shop/toc.dat"]))
        #expect(report.check("detect")?.detail.contains("toc.dat (PGDMP magic) and 2 data files in shop/: pg_dump directory format (-Fd)") == true,
                "\(report.text())")
    }

    /// -Ft members unpacked into a folder and zipped: restored from the directory, restore.sql left alone.
    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func unpackedTarFormatMembersAreRestoredFromTocDat() async throws {
        let report = try await DecoderFixtures.verify(fixture: "pg-tar-members.zip")
        Self.expectShop(report, engine: "postgres")
        #expect(report.format == "pg-dump-directory")
        #expect(report.check("detect")?.detail.contains("tar-format members unpacked into a folder, restored as a directory (restore.sql is not used)") == true,
                "\(report.text())")
    }

    /// A data file of a directory archive damaged: its own gzip layer fails the integrity pass.
    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func damagedDataFileOfADirectoryArchiveFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let staging = tmp.url.appendingPathComponent("stage/shop")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let unzip = Process()
        unzip.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        unzip.arguments = ["-q", DecoderFixtures.url("pg-dir.zip").path, "-d", tmp.url.appendingPathComponent("stage").path]
        try unzip.run()
        unzip.waitUntilExit()
        let data = staging.appendingPathComponent("3359.dat.gz")
        var bytes = try Data(contentsOf: data)
        bytes = bytes.prefix(bytes.count - 10)
        try bytes.write(to: data)
        let entries = try FileManager.default.contentsOfDirectory(atPath: staging.path).sorted().map {
            ("shop/\($0)", try Data(contentsOf: staging.appendingPathComponent($0)))
        }
        let report = try await DecoderFixtures.verify(try tmp.zip("broken.1.zip", entries: entries))
        #expect(report.verdict == .failed)
        #expect(report.summary.hasPrefix("shop/3359.dat.gz: gzip stream ends early after "), "\(report.summary)")
    }

    /// A directory archive missing a data file its table of contents names: pg_restore says which.
    @Test(.enabled(if: EngineTestSupport.runPostgres))
    func directoryArchiveMissingADataFileFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let zip = try tmp.zip("missing.1.zip", entries: [
            ("shop/toc.dat", try Self.member("pg-tar-members.zip", "shop/toc.dat")),
            ("shop/3357.dat", try Self.member("pg-tar-members.zip", "shop/3357.dat")),
        ])
        let report = try await DecoderFixtures.verify(zip)
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.check("restore")?.status == .failed)
        #expect(report.summary.contains("3359.dat"), "\(report.summary)")
    }

    static func member(_ zip: String, _ name: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        process.arguments = ["-p", DecoderFixtures.url(zip).path, name]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}
