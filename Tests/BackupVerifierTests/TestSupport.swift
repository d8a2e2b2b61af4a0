import Foundation
import Logging
@testable import BackupVerifier

/// The shared fixtures live beside the repository (`../shared/fixtures`); found by walking up from this file
/// so the tests also run from a build directory that links the sources in.
enum Fixtures {
    static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["BACKUPFEED_FIXTURES"] { return URL(fileURLWithPath: override) }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared/fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: "/work/shared/fixtures")
    }()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    static func data(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }
}

/// A scratch directory removed by `remove()`; each test makes its own so tests can run in parallel.
struct TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("bv-test-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ data: Data) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file
    }

    /// Zips `entries` with the real `zip` tool (`stored` keeps the bytes uncompressed so a test can corrupt them).
    func zip(_ name: String, entries: [(String, Data)], stored: Bool = false) throws -> URL {
        let staging = url.appendingPathComponent("staging-\(UUID().uuidString.prefix(6))")
        for (entry, data) in entries {
            let file = staging.appendingPathComponent(entry)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
        }
        let output = url.appendingPathComponent(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = staging
        process.arguments = ["-q", "-X", stored ? "-0" : "-6", output.path] + entries.map(\.0)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        try FileManager.default.removeItem(at: staging)
        return output
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

extension BackupVerifier {
    /// A verifier with only the SQLite engine, its sandboxes under `root`.
    static func sqliteOnly(root: URL, limits: ArchiveLimits = ArchiveLimits(), sqlite: SQLiteLimits = SQLiteLimits()) -> BackupVerifier {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return BackupVerifier(
            configuration: VerifierConfiguration(workRoot: root, limits: limits, engines: [.sqlite: SQLiteEngine(limits: sqlite)]), logger: logger)
    }
}

extension VerificationReport {
    func check(_ name: String) -> CheckResult? { checks.first { $0.name == name } }
    func rows(_ table: String) -> Int? { tables.first { $0.name == table }?.rows }
}

/// Feeds `data` to a scanner in small chunks so statement tracking across chunk boundaries is exercised.
func scan(_ data: Data, chunk: Int = 7) -> DumpScanner {
    var scanner = DumpScanner()
    var offset = 0
    while offset < data.count {
        let end = min(offset + chunk, data.count)
        data[offset..<end].withUnsafeBytes { scanner.feed($0) }
        offset = end
    }
    scanner.finish()
    return scanner
}
