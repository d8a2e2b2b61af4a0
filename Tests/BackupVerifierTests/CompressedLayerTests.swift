import Foundation
import Testing
@testable import BackupVerifier

/// Every compressor, bare and inside a zip and a tar, on a real sqlite3 .dump (restored in-process), and every
/// way such a layer breaks: cut short, a flipped byte, a bomb by size and by ratio.
@Suite struct CompressedLayerTests {
    @Test(arguments: DecoderFixtures.compressors)
    func bareCompressedDumpIsRestored(ext: String) async throws {
        let report = try await DecoderFixtures.verify(fixture: "shop.sqlite.sql.\(ext)")
        let layer = try #require(DecoderFixtures.layerName[ext])
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.summary == "restored 2 tables (23 rows) with sqlite \(report.engine?.version ?? "")")
        #expect(report.layers == [layer])
        #expect(report.dumpEntry == "shop.sqlite.sql.\(ext)")
        #expect(report.format == "sqlite-dump")
        #expect(report.rows("orders") == 20 && report.rows("customers") == 3)
        let integrity = try #require(report.check("integrity")?.detail)
        #expect(integrity.contains("\(layer): \(Compression(rawValue: layer)!.verified), 1.1 KiB decoded"), "\(integrity)")
    }

    @Test(arguments: DecoderFixtures.compressors)
    func compressedDumpInsideAZipIsRestored(ext: String) async throws {
        let report = try await DecoderFixtures.verify(fixture: "in-zip.\(ext).zip")
        let layer = try #require(DecoderFixtures.layerName[ext])
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.layers == ["zip", "shop.sql.\(ext)", layer])
        #expect(report.dumpEntry == "shop.sql.\(ext)")
        #expect(report.rows("orders") == 20)
        #expect(report.check("integrity")?.detail.contains("zip: 1 entries consistent, CRC verified; \(layer): ") == true)
    }

    @Test(arguments: DecoderFixtures.compressors)
    func compressedDumpInsideATarIsRestored(ext: String) async throws {
        let report = try await DecoderFixtures.verify(fixture: "in-tar.\(ext).tar")
        let layer = try #require(DecoderFixtures.layerName[ext])
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.layers == ["tar", "shop.sql.\(ext)", layer])
        #expect(report.rows("orders") == 20)
        #expect(report.check("integrity")?.detail.contains("tar: 1 members whole, header checksums verified") == true, "\(report.text())")
    }

    /// A zip holding `dump.tar`, which holds an xz-compressed dump: three layers deep.
    @Test func zipHoldingATarHoldingACompressedDumpIsRestored() async throws {
        let report = try await DecoderFixtures.verify(fixture: "zip-holding-tar.zip")
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.layers == ["zip", "dump.tar", "tar", "shop.sql.xz", "xz"])
        #expect(report.check("detect")?.detail.hasSuffix("via zip › dump.tar › tar › shop.sql.xz › xz") == true, "\(report.text())")
        #expect(report.rows("orders") == 20)
    }

    // MARK: Damage

    @Test(arguments: DecoderFixtures.compressors)
    func truncatedStreamFailsNamingTheLayer(ext: String) async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let name = "shop.sqlite.sql.\(ext)"
        let cut = try DecoderFixtures.truncated(name, keep: try DecoderFixtures.data(name).count / 2, in: tmp)
        let report = try await DecoderFixtures.verify(cut)
        let layer = try #require(DecoderFixtures.layerName[ext])
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.check("integrity")?.status == .failed)
        #expect(report.summary.hasPrefix("\(layer) stream ends early after "), "\(report.summary)")
        #expect(report.summary.hasSuffix(": truncated"), "\(report.summary)")
        #expect(report.check("restore")?.status == .skipped)
    }

    /// Inside a zip the reason names the entry too.
    @Test func truncatedStreamInsideAZipNamesTheEntry() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let cut = try tmp.zip("cut.1.zip", entries: [("db.sql.gz", try DecoderFixtures.data("shop.sqlite.sql.gz").prefix(200))])
        let report = try await DecoderFixtures.verify(cut)
        #expect(report.verdict == .failed)
        #expect(report.summary.hasPrefix("db.sql.gz: gzip stream ends early after "), "\(report.summary)")
    }

    @Test(arguments: DecoderFixtures.compressors)
    func flippedByteFailsNamingTheLayer(ext: String) async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let name = "shop.sqlite.sql.\(ext)"
        let broken = try DecoderFixtures.flipped(name, at: try DecoderFixtures.data(name).count / 2, in: tmp)
        let report = try await DecoderFixtures.verify(broken)
        let layer = try #require(DecoderFixtures.layerName[ext])
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.check("integrity")?.status == .failed)
        #expect(report.summary.hasPrefix("\(layer): "), "\(report.summary)")
        #expect(report.summary.hasSuffix("the compressed stream is damaged"), "\(report.summary)")
    }

    /// Bytes appended after a complete gzip stream are damage (zero padding is not).
    @Test func garbageAfterTheStreamFailsButZeroPaddingPasses() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let gz = try DecoderFixtures.data("shop.sqlite.sql.gz")
        let garbage = try await DecoderFixtures.verify(try tmp.file("garbage.sql.gz", gz + Data("oops".utf8)))
        #expect(garbage.verdict == .failed)
        #expect(garbage.summary == "gzip: data that is not gzip follows the end of the compressed stream: the file was damaged or appended to")
        let padded = try await DecoderFixtures.verify(try tmp.file("padded.sql.gz", gz + Data(count: 1000)))
        #expect(padded.verdict == .passed, "\(padded.text())")
        // Two members (`cat a.gz b.gz`) are one stream to gzip: the dump is read twice over, which SQLite rejects.
        let twice = try await DecoderFixtures.verify(try tmp.file("twice.sql.gz", gz + gz))
        #expect(twice.check("integrity")?.status == .passed, "\(twice.text())")
    }

    @Test(arguments: DecoderFixtures.compressors)
    func decompressionBombBySizeIsRefused(ext: String) async throws {
        let report = try await DecoderFixtures.verify(fixture: "zeros-4MiB.\(ext)", limits: ArchiveLimits(maxExpandedBytes: 1 << 20))
        let layer = try #require(DecoderFixtures.layerName[ext])
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.check("integrity")?.status == .failed)
        #expect(report.summary.hasPrefix("\(layer) stream expands to "), "\(report.summary)")
        #expect(report.summary.hasSuffix("more than the limit of 1.0 MiB (a decompression bomb?)"), "\(report.summary)")
    }

    @Test(arguments: DecoderFixtures.compressors)
    func decompressionBombByRatioIsRefused(ext: String) async throws {
        let limits = ArchiveLimits(maxRatio: 100, ratioCheckAfterBytes: 1 << 20)
        let report = try await DecoderFixtures.verify(fixture: "zeros-4MiB.\(ext)", limits: limits)
        let layer = try #require(DecoderFixtures.layerName[ext])
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.summary.hasPrefix("\(layer) stream expands "), "\(report.summary)")
        #expect(report.summary.hasSuffix("times its compressed size, more than the limit of 100:1 (a decompression bomb?)"), "\(report.summary)")
    }

    /// The same stream of zeros within the limits is no bomb: it is simply not a dump.
    @Test func zerosWithinTheLimitsAreNotADump() async throws {
        let report = try await DecoderFixtures.verify(fixture: "zeros-4MiB.zst")
        #expect(report.verdict == .failed)
        #expect(report.check("integrity")?.status == .passed)
        #expect(report.check("detect")?.status == .failed)
        #expect(report.layers == ["zstd"])
    }

    @Test func legacyLz4IsAnErrorSayingWhatToDo() async throws {
        let report = try await DecoderFixtures.verify(fixture: "shop.sqlite.sql.legacy.lz4")
        #expect(report.verdict == .error)
        #expect(report.summary == "lz4 legacy format (lz4 -l), which liblz4's frame decoder does not read; compress with plain lz4")
    }

    /// `… | gzip | gpg -c`: a passphrase, which the feed cannot type: an `error` that says how to encrypt instead.
    @Test(.enabled(if: EncryptionTools.available || EngineTestSupport.isCI, "gnupg is not installed (apt-get install gnupg)"))
    func passphraseEncryptedBackupIsAnErrorSayingHowToEncryptInstead() async throws {
        let report = try await DecoderFixtures.verify(fixture: "shop.sqlite.sql.gz.gpg")
        #expect(report.verdict == .error, "\(report.text())")
        #expect(report.check("detect")?.status == .error)
        #expect(report.summary.hasPrefix("encrypted with a passphrase (gpg -c): the feed verifies backups encrypted to a key"), "\(report.summary)")
    }

    // MARK: Tar damage and limits

    @Test func truncatedTarFailsNamingTheEntry() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let cut = try DecoderFixtures.truncated("in-tar.gz.tar", keep: 700, in: tmp)
        let report = try await DecoderFixtures.verify(cut)
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.summary == "tar: entry shop.sql.gz truncated (holds 188 of its 362 bytes)")
    }

    @Test func tarCutInsideAHeaderFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let report = try await DecoderFixtures.verify(try DecoderFixtures.truncated("five-entries.tar", keep: 512 * 2 + 100, in: tmp))
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.summary == "tar: the archive ends inside a header after entry f2.sql: truncated")
    }

    @Test func damagedTarHeaderFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        // The second member's name: its header checksum no longer matches.
        let report = try await DecoderFixtures.verify(try DecoderFixtures.flipped("five-entries.tar", at: 512 + 1, in: tmp))
        #expect(report.verdict == .failed, "\(report.text())")
        #expect(report.summary == "tar: the header after entry f1.sql is damaged (checksum mismatch)")
    }

    /// A tar cut exactly between members lost them without a trace but for the missing end marker: a warning.
    @Test func tarWithoutItsEndMarkerWarns() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        // in-tar.gz.tar: header (512) + 362 bytes + padding = 1024; then the two zero blocks.
        let report = try await DecoderFixtures.verify(try DecoderFixtures.truncated("in-tar.gz.tar", keep: 1024, in: tmp))
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.check("integrity")?.status == .warning)
        #expect(report.check("integrity")?.detail.contains("no end-of-archive marker") == true)
    }

    @Test func tarWithTooManyEntriesIsRefused() async throws {
        let report = try await DecoderFixtures.verify(fixture: "five-entries.tar", limits: ArchiveLimits(maxEntries: 3))
        #expect(report.verdict == .failed)
        #expect(report.summary == "archive has 4 entries, more than the limit of 3")
    }

    /// A tar.gz whose member is 4 MiB of zeros: the gzip layer under the tar stops it.
    @Test func tarBombIsRefusedAtItsCompressedLayer() async throws {
        let report = try await DecoderFixtures.verify(fixture: "zeros-4MiB.tar.gz", limits: ArchiveLimits(maxExpandedBytes: 1 << 20))
        #expect(report.verdict == .failed)
        #expect(report.summary.hasPrefix("gzip stream expands to "), "\(report.summary)")
    }

    /// A compressed layer inside a zip is counted with the zip's own output against the same limit.
    @Test func bombInsideAZipIsRefused() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let zip = try tmp.zip("bomb.1.zip", entries: [("dump.sql.zst", try DecoderFixtures.data("zeros-4MiB.zst"))])
        let report = try await DecoderFixtures.verify(zip, limits: ArchiveLimits(maxExpandedBytes: 1 << 20))
        #expect(report.verdict == .failed)
        #expect(report.summary.hasPrefix("dump.sql.zst: zstd stream expands to "), "\(report.summary)")
    }
}
