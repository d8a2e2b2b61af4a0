import Foundation

/// Tests/Servers/flaky_s3_proxy.py in front of the moto server: either the first try of every PUT and POST gets a
/// 503 SlowDown (`.slowDown`), or what comes back is damaged (`.corrupt`: GET bodies, CopyObject's checksum).
final class FlakyProxy: @unchecked Sendable {
    let url: URL
    private let log: URL
    private let process: Process

    private init(url: URL, log: URL, process: Process) {
        self.url = url
        self.log = log
        self.process = process
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Servers/flaky_s3_proxy.py")

    enum Mode { case slowDown, corrupt }

    static func start(upstream: URL, mode: Mode) async throws -> FlakyProxy {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("flaky-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--upstream", upstream.absoluteString]
            + (mode == .slowDown ? ["--fail-methods", "PUT,POST"] : ["--corrupt"])
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }), let port = Int(line.dropFirst(6)) {
                return FlakyProxy(url: URL(string: "http://127.0.0.1:\(port)")!, log: log, process: process)
            }
            guard process.isRunning else { throw ProxyError.failed("flaky_s3_proxy.py exited: \(text)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        throw ProxyError.failed("flaky_s3_proxy.py did not start within 30 s")
    }

    /// The requests refused so far, as `METHOD PATH`.
    var refused: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.hasPrefix("FAILED ") }.map { String($0.dropFirst(7)) }
    }

    /// Kills the proxy without waiting for it (waiting would block a thread of the cooperative pool).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        try? FileManager.default.removeItem(at: log)
    }

    enum ProxyError: Error { case failed(String) }
}
