import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import BackupVerifier

/// A dump file fed to an engine in small chunks, the way the archive reader streams an entry.
struct EngineTestFile: DumpSource {
    let url: URL
    let format: DumpFormat
    /// Small by default on purpose: lines then straddle chunk boundaries, which the rewriter must handle.
    let chunkSize: Int
    var name: String { url.lastPathComponent }

    init(_ url: URL, format: DumpFormat, chunkSize: Int = 4096) {
        self.url = url
        self.format = format
        self.chunkSize = chunkSize
    }

    func stream(_ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { buffer.deallocate() }
        while let data = try handle.read(upToCount: buffer.count), !data.isEmpty {
            _ = data.copyBytes(to: buffer.bindMemory(to: UInt8.self))
            try await consume(UnsafeRawBufferPointer(rebasing: buffer[0..<data.count]))
        }
    }
}

/// Shared places and probes for the MariaDB and PostgreSQL engine tests.
enum EngineTestSupport {
    /// `BACKUPFEED_ENGINE_TEST_ROOT` overrides it, e.g. to run the suite as an unprivileged user.
    static let root = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["BACKUPFEED_ENGINE_TEST_ROOT"] ?? "/tmp/backupfeed-engine-tests", isDirectory: true)
    /// One template per engine for the whole test run (and across runs): initialising takes seconds, copying doesn't.
    /// The same directory the HTTP tests' server uses (`<sandbox>/templates`, see FeedServerTests' `Verification`),
    /// so that a cold run on a two-core CI machine builds each engine's template once, not once per target.
    static let templates: URL = {
        let sandbox = URL(fileURLWithPath: ProcessInfo.processInfo.environment["BACKUPFEED_HTTP_TEST_SANDBOX"] ?? "/tmp/backupfeed-http-tests")
        try? FileManager.default.createDirectory(at: sandbox, withIntermediateDirectories: true)
        chmod(sandbox.path, 0o755)
        return sandbox.appendingPathComponent("templates", isDirectory: true)
    }()
    static let fixtures = URL(fileURLWithPath: "/work/shared/fixtures", isDirectory: true)

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static let mariaDBInstalled = FileManager.default.isExecutableFile(atPath: "/usr/sbin/mariadbd")
        || FileManager.default.isExecutableFile(atPath: "/usr/bin/mariadbd")
    static let postgresInstalled = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
        .contains { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/postgres") }

    /// Locally a missing engine skips its tests; in CI it must fail them, so they run anyway.
    static var runMariaDB: Bool { mariaDBInstalled || isCI }
    static var runPostgres: Bool { postgresInstalled || isCI }

    /// A fresh work directory for one test (mode 0755 so the sandbox user can reach its sandbox).
    static func workDirectory() throws -> URL {
        let url = root.appendingPathComponent("runs/\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        for dir in [root, root.appendingPathComponent("runs")] { chmod(dir.path, 0o755) }
        return url
    }

    static func realworld(_ name: String) -> URL { fixtures.appendingPathComponent("realworld/\(name)") }
    static func petclinic(_ name: String) -> URL { fixtures.appendingPathComponent("petclinic/dumps/\(name)") }

    /// Writes a dump text to a file in `directory`.
    static func dump(_ text: String, in directory: URL, name: String = "dump.sql") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Pids whose command line mentions `path` (what `pgrep -f path` finds), ourselves excluded.
    static func processes(mentioning path: String) -> [Int32] {
        let own = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), pid != own,
                  let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  !stat.contains(") Z ") else { return nil }
            return String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(path) ? pid : nil
        }
    }

    /// Processes that mention `path` and run `program` (by its file name, e.g. `psql`): with the OS sandbox, a
    /// server is several processes (bubblewrap outside and inside the namespace, then the server itself).
    static func processes(mentioning path: String, running program: String) -> [Int32] {
        processes(mentioning: path).filter { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return raw.split(separator: 0).first.map { String(decoding: $0, as: UTF8.self).hasSuffix("/" + program) } ?? false
        }
    }

    /// A path outside every sandbox that a hostile dump tries to create.
    static func pwnedMarker() -> String { "/tmp/backupfeed-pwned-\(UUID().uuidString)" }

    /// Asserts that a sandbox left nothing behind: no process mentions the work directory, no sandbox directory.
    static func expectNothingLeft(in work: URL, sourceLocation: SourceLocation = #_sourceLocation) {
        // The processes inside a sandbox's PID namespace are killed by the kernel when its outer process dies;
        // give that a moment to finish before calling them left behind.
        for _ in 0..<60 where !processes(mentioning: work.path).isEmpty { usleep(50_000) }
        #expect(processes(mentioning: work.path).isEmpty, "processes left behind", sourceLocation: sourceLocation)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []
        #expect(leftovers.isEmpty, "sandbox directories left behind: \(leftovers)", sourceLocation: sourceLocation)
    }

    /// Generous: it includes waiting for a cold template build, which on a loaded two-core CI machine running the
    /// whole suite at once has taken over a minute. Tests of the timeout itself pass their own short deadline.
    static func deadline(seconds: Int = 240) -> ContinuousClock.Instant { .now + .seconds(seconds) }
}
