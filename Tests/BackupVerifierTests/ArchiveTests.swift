import Foundation
import Testing
@testable import BackupVerifier

@Suite struct ArchiveTests {
    @Test func corruptedStoredEntryFailsOnItsCRC() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dump = try Fixtures.data("petclinic/dumps/petclinic.sqlite.sql")
        let zip = try tmp.zip("PetClinicDB.1.0.0.zip", entries: [("dump.sql", dump)], stored: true)
        var bytes = try Data(contentsOf: zip)
        // Flip one byte inside the stored (uncompressed) data: headers stay consistent, only the CRC can tell.
        let marker = Data("INSERT INTO owners".utf8)
        let at = try #require(bytes.range(of: marker)).lowerBound + 3
        bytes[at] ^= 0x20
        try bytes.write(to: zip)

        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.check("integrity")?.status == .failed)
        #expect(report.summary == "entry dump.sql: CRC mismatch (the archive is damaged)")
        #expect(report.check("restore")?.status == .skipped)
    }

    @Test func zipBombIsRefusedBeforeExtraction() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let zeros = Data(count: 5 << 20)
        let zip = try tmp.zip("bomb.1.0.zip", entries: [("dump.sql", zeros)])
        #expect(try Data(contentsOf: zip).count < 64 * 1024)
        let verifier = BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"), limits: ArchiveLimits(maxExpandedBytes: 1 << 20))
        let report = await verifier.verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.check("integrity")?.status == .failed)
        #expect(report.summary.contains("more than the limit of 1.0 MiB"))
    }

    /// A header that under-declares the size cannot bypass the limit: bytes actually read are counted too.
    @Test func bytesActuallyReadAreCounted() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let zip = try tmp.zip("a.1.zip", entries: [("dump.sql", Data(count: 3 << 20))])
        let archive = try ZipArchive(url: zip)
        var budget: Int64 = 1 << 20
        // read() does not look at the declared size at all: only the counting can stop it.
        do {
            try await archive.read(archive.entries[0], budget: &budget, limit: 1 << 20) { _ in }
            Issue.record("reading past the budget did not fail")
        } catch let error as ArchiveError {
            guard case .tooLarge(_, let limit) = error else { throw error }
            #expect(limit == 1 << 20)
        }
        #expect(budget < 0)
    }

    /// A zip whose headers (local and central, kept consistent) claim 1000 bytes for 3 MiB of data.
    @Test func lyingSizeHeaderDoesNotGetPastTheLimits() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let zip = try tmp.zip("liar.1.zip", entries: [("dump.sql", Data(count: 3 << 20))])
        var bytes = try Data(contentsOf: zip)
        func patch(_ at: Int, _ value: UInt32) {
            for i in 0..<4 { bytes[at + i] = UInt8((value >> (8 * UInt32(i))) & 0xFF) }
        }
        #expect(bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        patch(22, 1000)
        let central = try #require(bytes.range(of: Data([0x50, 0x4B, 0x01, 0x02]))).lowerBound
        patch(central + 24, 1000)
        try bytes.write(to: zip)
        let work = tmp.url.appendingPathComponent("work")
        let limited = await BackupVerifier.sqliteOnly(root: work, limits: ArchiveLimits(maxExpandedBytes: 1 << 20))
            .verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(limited.verdict == .failed, "\(limited.text())")
        #expect(limited.summary.contains("more than the limit of 1.0 MiB"))
        #expect(limited.check("restore")?.status == .skipped)
        // Within the limits, the lie itself is caught (libzip hands out all 3 MiB without complaint).
        let unlimited = await BackupVerifier.sqliteOnly(root: work).verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(unlimited.verdict == .failed)
        #expect(unlimited.summary == "entry dump.sql: holds 3145728 bytes, its header says 1000")
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        var crc = CRC32()
        Data("1234".utf8).withUnsafeBytes { crc.update($0) }
        Data("56789".utf8).withUnsafeBytes { crc.update($0) }
        #expect(crc.value == 0xCBF4_3926)
        var long = CRC32()
        Data(repeating: 0, count: 1 << 20).withUnsafeBytes { long.update($0) }
        #expect(long.value == 0xA738_EA1C)
    }

    @Test func tooManyEntriesAreRefused() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let zip = try tmp.zip("many.1.zip", entries: (0..<5).map { ("f\($0).sql", Data("x".utf8)) })
        let verifier = BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"), limits: ArchiveLimits(maxEntries: 3))
        let report = await verifier.verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.summary == "archive has 5 entries, more than the limit of 3")
    }

    @Test func shaMismatchFails() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let file = try tmp.file("dump.sql", try Fixtures.data("petclinic/dumps/petclinic.sqlite.sql"))
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: file, expectedSHA256: String(repeating: "0", count: 64), policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.summary.contains("expected 0000"))
    }

    @Test func ambiguousArchiveFailsListingCandidates() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dump = try Fixtures.data("petclinic/dumps/petclinic.sqlite.sql")
        let zip = try tmp.zip("two.1.zip", entries: [("a.sql", dump), ("b.sql", dump), ("README.md", Data("notes".utf8))])
        let report = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: zip, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(report.verdict == .failed)
        #expect(report.check("detect")?.status == .failed)
        #expect(report.summary.contains("a.sql, b.sql"))
        var policy = VerificationPolicy()
        policy.dump = "b.sql"
        let named = await BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
            .verify(file: zip, expectedSHA256: nil, policy: policy, previous: nil)
        #expect(named.verdict == .passed, "\(named.summary)")
        #expect(named.dumpEntry == "b.sql")
    }

    /// Zip is recognised by its magic, not by its name.
    @Test func zipNamedSqlAndSqlNamedZipAreBothRead() async throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let dump = try Fixtures.data("petclinic/dumps/petclinic.sqlite.sql")
        let zip = try tmp.zip("inner.zip", entries: [("dump.sql", dump)])
        let disguised = try tmp.file("PetClinicDB.1.sql", try Data(contentsOf: zip))
        let bare = try tmp.file("PetClinicDB.2.zip", dump)
        let verifier = BackupVerifier.sqliteOnly(root: tmp.url.appendingPathComponent("work"))
        let a = await verifier.verify(file: disguised, expectedSHA256: nil, policy: .default, previous: nil)
        let b = await verifier.verify(file: bare, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(a.verdict == .passed && a.dumpEntry == "dump.sql", "\(a.summary)")
        #expect(b.verdict == .passed && b.dumpEntry == "PetClinicDB.2.zip", "\(b.summary)")
    }
}
