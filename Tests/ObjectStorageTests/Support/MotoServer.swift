import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
@testable import ObjectStorage

/// moto's S3 server (`moto[server]` from PyPI, installed by scripts/test.sh) on a free loopback port: a real S3
/// implementation in its own process. One is shared by every test of the process (each test makes its own bucket);
/// it ends by itself when the test process ends, however that happens.
actor MotoServer {
    static let shared = MotoServer()
    static let credentials = SigV4Credentials(accessKeyID: "backupfeed-test", secretAccessKey: "backupfeed-test-secret")

    /// Locally a missing moto or AWS CLI skips the S3 tests; in CI nothing is skipped: they run and fail.
    static let installed = ToolCheck.hasPythonModules(["moto.server", "flask"]) && ToolCheck.hasProgram("aws")
    static var enabled: Bool { installed || ProcessInfo.processInfo.environment["CI"] == "true" }

    private var starting: Task<URL, any Error>?

    /// The server's URL, starting it on first use (concurrent first callers share one start).
    func url() async throws -> URL {
        if let starting { return try await starting.value }
        let task = Task { try await Self.start() }
        starting = task
        return try await task.value
    }

    /// Runs moto's server in a Python that exits by itself once its parent (this test process) is gone, however
    /// that ends: a crashed or killed test run leaves no server behind.
    private static let launcher = """
        import os, sys, threading, time
        parent = os.getppid()
        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        from moto.server import main
        main(["-H", "127.0.0.1", "-p", sys.argv[1]])
        """

    private static func start() async throws -> URL {
        let port = try FreePort.find()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", launcher, "\(port)"]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let url = URL(string: "http://127.0.0.1:\(port)")!
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if await answers(url) { return url }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        kill(process.processIdentifier, SIGKILL)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw MotoError.notStarted("moto's server did not answer on port \(port) within 60 s: \(text.suffix(2000))")
    }

    private static func answers(_ url: URL) async -> Bool {
        var request = HTTPClientRequest(url: url.absoluteString + "/moto-api/")
        request.method = .GET
        return (try? await HTTPClient.shared.execute(request, timeout: .seconds(2))) != nil
    }

    /// A client on a new, empty bucket of its own.
    static func client(prefix: String = "") async throws -> S3Client {
        let url = try await shared.url()
        let bucket = "test-\(UUID().uuidString.lowercased().prefix(18))"
        let configuration = S3Configuration(bucket: bucket, prefix: prefix, endpoint: url, region: "us-east-1", pathStyle: true)
        let client = S3Client(configuration: configuration, credentials: credentials)
        try await client.createBucket()
        return client
    }

    enum MotoError: Error { case notStarted(String) }
}

extension S3Client {
    /// CreateBucket, only for tests: BackupFeed never creates buckets.
    func createBucket() async throws {
        _ = try await self.send(.PUT, key: nil)
    }
}

/// A port nobody listens on right now: bound with port 0, read, released.
enum FreePort {
    static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
