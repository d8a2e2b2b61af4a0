import Foundation
import Logging
import Testing
@testable import BackupVerifier

/// The real files under `Tests/Fixtures/decoders` (how each was made: SOURCES.md there) and ways to break them.
enum DecoderFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/decoders", isDirectory: true)

    static func url(_ name: String) -> URL { root.appendingPathComponent(name) }
    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    static let compressors = ["gz", "zst", "xz", "bz2", "lz4"]
    /// The report's layer name for each file extension.
    static let layerName = ["gz": "gzip", "zst": "zstd", "xz": "xz", "bz2": "bzip2", "lz4": "lz4"]

    /// A verifier with every engine (the server engines are only started when a dump needs them).
    static func verifier(work: URL, limits: ArchiveLimits = ArchiveLimits()) -> BackupVerifier {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let templates = EngineTestSupport.templates
        return BackupVerifier(
            configuration: VerifierConfiguration(workRoot: work, limits: limits, engines: [
                .sqlite: SQLiteEngine(),
                .mariadb: MariaDBEngine(templateRoot: templates),
                .postgres: PostgresEngine(templateRoot: templates),
            ]),
            logger: logger)
    }

    /// Verifies `file` in a fresh work directory and checks that nothing of the sandbox is left.
    static func verify(
        _ file: URL, limits: ArchiveLimits = ArchiveLimits(), policy: VerificationPolicy = .default,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> VerificationReport {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = await verifier(work: work, limits: limits).verify(file: file, expectedSHA256: nil, policy: policy, previous: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty, "sandbox left behind", sourceLocation: sourceLocation)
        return report
    }

    static func verify(fixture name: String, limits: ArchiveLimits = ArchiveLimits(), policy: VerificationPolicy = .default) async throws -> VerificationReport {
        try await verify(url(name), limits: limits, policy: policy)
    }

    /// A copy of a fixture cut to `keep` bytes (a negative value cuts that many from the end).
    static func truncated(_ name: String, keep: Int, in tmp: TempDir, as newName: String? = nil) throws -> URL {
        let bytes = try data(name)
        let count = keep < 0 ? bytes.count + keep : keep
        return try tmp.file(newName ?? "cut-" + name, bytes.prefix(count))
    }

    /// A copy of a fixture with one byte inverted at `offset` (a negative value counts from the end).
    static func flipped(_ name: String, at offset: Int, in tmp: TempDir, as newName: String? = nil) throws -> URL {
        var bytes = try data(name)
        let at = offset < 0 ? bytes.count + offset : offset
        bytes[at] ^= 0xFF
        return try tmp.file(newName ?? "flipped-" + name, bytes)
    }
}
