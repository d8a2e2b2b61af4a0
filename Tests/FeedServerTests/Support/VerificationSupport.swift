import FeedServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Shared places, probes and HTTP helpers for the verification tests that go through the real server.
enum Verification {
    static let fixtures = URL(fileURLWithPath: ProcessInfo.processInfo.environment["BACKUPFEED_FIXTURES"] ?? "/work/shared/fixtures")
    static func petclinic(_ name: String) -> URL { fixtures.appendingPathComponent("petclinic/dumps/\(name)") }
    static func realworld(_ name: String) -> URL { fixtures.appendingPathComponent("realworld/\(name)") }

    /// One sandbox directory for every test that needs MariaDB or PostgreSQL: the product keeps its engine
    /// templates under `<sandbox>/templates` (built once, locked), so they are built once per machine.
    /// Under /tmp with mode 0755 so that the unprivileged sandbox user reaches it when the tests run as root.
    static let sharedSandbox: URL = {
        let url = URL(fileURLWithPath: ProcessInfo.processInfo.environment["BACKUPFEED_HTTP_TEST_SANDBOX"] ?? "/tmp/backupfeed-http-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o755)
        return url
    }()

    /// A sandbox directory of one test (SQLite only: no templates to rebuild), removed by the caller.
    static func privateSandbox() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/backupfeed-http-sandbox-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o755)
        return url
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static let mariaDBInstalled = ["/usr/sbin/mariadbd", "/usr/bin/mariadbd"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    static let postgresInstalled = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
        .contains { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/postgres") }
    /// Locally a missing engine skips its tests; in CI nothing is skipped, so they run and fail.
    static var runMariaDB: Bool { mariaDBInstalled || isCI }
    static var runPostgres: Bool { postgresInstalled || isCI }
    static var runServerProcess: Bool { ServerProcess.executable != nil || isCI }

    /// Zips `data` as `entry` with the real `zip` tool, in a fresh temp directory; returns the zip.
    static func zip(_ data: Data, entry: String = "dump.sql") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try data.write(to: directory.appendingPathComponent(entry))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = directory
        process.arguments = ["-q", "-X", "backup.zip", entry]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return directory.appendingPathComponent("backup.zip")
    }

    static func zip(file: URL, entry: String = "dump.sql") throws -> URL { try zip(Data(contentsOf: file), entry: entry) }

    /// Removes the temp directory `zip` made.
    static func discard(_ zip: URL) { try? FileManager.default.removeItem(at: zip.deletingLastPathComponent()) }

    /// A feed whose app verifies with its sandboxes under `sandbox`, run over a real socket.
    static func withFeed(
        sandbox: URL = sharedSandbox, _ body: @escaping @Sendable (TestFeed, FeedClient) async throws -> Void
    ) async throws {
        try await withFeed(configure: { _ in }, sandbox: sandbox, body)
    }

    /// Pids whose command line mentions `text` (what `pgrep -f` finds), this process excluded, zombies too.
    static func processes(mentioning text: String) -> [Int32] {
        let own = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), pid != own,
                  let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !raw.isEmpty,
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  !stat.contains(") Z ") else { return nil }
            return String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(text) ? pid : nil
        }
    }

    /// `run-*` directories under `sandbox` whose name starts with `prefix` (`run-<pid>-` for one server).
    static func runDirectories(in sandbox: URL, prefix: String = "run-") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sandbox.path)) ?? []).filter { $0.hasPrefix(prefix) }
    }
}

/// JSON over HTTP against a running server: push, poll, read reports, set policies.
///
/// In-process servers are driven through HummingbirdTesting's live client (a real socket, NIO underneath) rather
/// than curl: `Curl.run` starts a thread per call, and thread creation racing with the verifier's fork of a sandbox
/// process can wedge the forked child inside glibc's `setgroups` (see the report of this change). The real
/// `backupfeed serve` binary is a separate process, so it is driven with the real curl.
struct FeedClient: Sendable {
    enum Transport: Sendable {
        case testClient(any TestClientProtocol)
        case curl(baseURL: String)
    }

    let transport: Transport
    let pushKey: String
    let readKey: String
    var adminKey: String = TestFeed.adminKey

    init(transport: Transport, pushKey: String, readKey: String, adminKey: String = TestFeed.adminKey) {
        self.transport = transport
        self.pushKey = pushKey
        self.readKey = readKey
        self.adminKey = adminKey
    }

    init(baseURL: String, pushKey: String, readKey: String, adminKey: String) {
        self.init(transport: .curl(baseURL: baseURL), pushKey: pushKey, readKey: readKey, adminKey: adminKey)
    }

    struct Reply {
        let status: Int
        let body: String
        /// Lower-cased names.
        let headers: [String: String]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? [] }
    }

    func request(_ method: String, _ path: String, key: String?, body: String? = nil, contentType: String = "application/json") async throws -> Reply {
        switch transport {
        case .testClient(let client):
            var headers: HTTPFields = [:]
            if let key { headers[HTTPField.Name("X-Octopus-ApiKey")!] = key }
            if body != nil { headers[.contentType] = contentType }
            let response = try await client.execute(
                uri: path, method: HTTPRequest.Method(method)!, headers: headers, body: body.map { ByteBuffer(string: $0) })
            var fields: [String: String] = [:]
            for field in response.headers { fields[field.name.canonicalName] = field.value }
            return Reply(status: Int(response.status.code), body: String(buffer: response.body), headers: fields)
        case .curl(let baseURL):
            let headerFile = FileManager.default.temporaryDirectory.appendingPathComponent("hdr-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: headerFile) }
            var arguments = ["-X", method, "-D", headerFile.path]
            if let key { arguments += ["-H", "X-Octopus-ApiKey: \(key)"] }
            if let body { arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", body] }
            let result = try await Curl.run(arguments + [baseURL + path])
            var headers: [String: String] = [:]
            for line in ((try? String(contentsOf: headerFile, encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline) {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return Reply(status: result.status, body: result.body, headers: headers)
        }
    }

    func get(_ path: String, key: String? = nil) async throws -> Reply { try await request("GET", path, key: key) }

    /// Pushes `file` as `<id>.<version><ext>` the way backup scripts do (a multipart POST to the Octopus raw
    /// route; `curl -F file=@…` for the real binary); expects 201.
    func push(_ file: URL, id: String, version: String, ext: String = ".zip", key: String? = nil,
              sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let filename = "\(id).\(version)\(ext)"
        let status: Int, text: String
        switch transport {
        case .testClient(let client):
            let body = MultipartBody(filename: filename, bytes: Array(try Data(contentsOf: file)))
            var headers = HTTPFields.key(key ?? pushKey)
            headers[.contentType] = body.contentType
            let response = try await client.execute(uri: "/api/packages/raw", method: .post, headers: headers, body: body.data)
            (status, text) = (Int(response.status.code), response.text)
        case .curl(let baseURL):
            let result = try await Curl.run([
                "-F", "file=@\(file.path);filename=\(filename)", "-H", "X-Octopus-ApiKey: \(key ?? pushKey)", "\(baseURL)/api/packages/raw",
            ])
            (status, text) = (result.status, result.body + result.stderr)
        }
        #expect(status == 201, "push of \(filename): \(status) \(text)", sourceLocation: sourceLocation)
    }

    /// The version's `verification` object (nil when it has none).
    func verification(_ id: String, _ version: String) async throws -> [String: Any]? {
        let reply = try await get("/api/packages/\(id)/\(version)")
        guard reply.status == 200 else { throw FeedClientError.status(reply.status, reply.body) }
        return reply.json["verification"] as? [String: Any]
    }

    /// Polls the version until its latest run is no longer queued or running; returns that run.
    func waitForVerdict(_ id: String, _ version: String, timeout: Duration = .seconds(120)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any]?
        while ContinuousClock.now < deadline {
            last = try await verification(id, version)
            if let status = last?["status"] as? String, !["queued", "running"].contains(status) { return last! }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FeedClientError.noVerdict("\(id) \(version): still \(String(describing: last?["status"])) after \(timeout)")
    }

    /// Polls until the version's latest run has `status` (e.g. `running`); returns it.
    func waitForStatus(_ status: String, _ id: String, _ version: String, timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any]?
        while ContinuousClock.now < deadline {
            last = try await verification(id, version)
            if last?["status"] as? String == status { return last! }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FeedClientError.noVerdict("\(id) \(version): never \(status), last \(String(describing: last?["status"]))")
    }

    /// `GET …/verifications`: the reports, newest first.
    func reports(_ id: String, _ version: String) async throws -> [[String: Any]] {
        let reply = try await get("/api/packages/\(id)/\(version)/verifications")
        guard reply.status == 200 else { throw FeedClientError.status(reply.status, reply.body) }
        return reply.array
    }

    func setPolicy(_ id: String, _ json: String, key: String? = nil) async throws -> Reply {
        try await request("PUT", "/api/packages/\(id)/policy", key: key ?? adminKey, body: json)
    }
}

enum FeedClientError: Error, CustomStringConvertible {
    case status(Int, String)
    case noVerdict(String)
    var description: String {
        switch self {
        case .status(let status, let body): "HTTP \(status): \(body)"
        case .noVerdict(let text): text
        }
    }
}

/// Readers of the report JSON.
extension Dictionary where Key == String, Value == Any {
    var checkNames: [String] { (self["checks"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
    func check(_ name: String) -> [String: Any]? { (self["checks"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name } }
    func rows(_ table: String) -> Int? {
        (self["tables"] as? [[String: Any]] ?? []).first { $0["name"] as? String == table }?["rows"] as? Int
    }
    var status: String? { self["status"] as? String }
    var summary: String { self["summary"] as? String ?? "" }
}
