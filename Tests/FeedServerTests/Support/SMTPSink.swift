import Foundation

/// A real SMTP server (Tests/Servers/smtp_sink.py on aiosmtpd, installed by scripts/test.sh) with STARTTLS on a
/// certificate made for the test by OpenSSL, AUTH for one user, and each accepted message parsed by Python's email
/// package into `out/N.json`.
final class SMTPSink: @unchecked Sendable {
    static let user = "backupfeed"
    static let password = "s3cret"

    let port: Int
    let directory: URL
    /// The self-signed certificate the server presents, trusted by the feed through `--smtp-ca-file`.
    var certificate: URL { directory.appendingPathComponent("cert.pem") }
    private let process: Process

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    static var installed: Bool { PythonTool.hasModules(["aiosmtpd"]) }

    static func start(startTLS: Bool = true) async throws -> SMTPSink {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString.prefix(8))")
        let out = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let openssl = try await ExternalTool.run(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-keyout", "key.pem", "-out", "cert.pem", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            in: directory, timeout: 30)
        guard openssl.status == 0 else { throw SinkError.failed("openssl: \(openssl)") }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = PythonTool.repositoryRoot.appendingPathComponent("Tests/Servers/smtp_sink.py").path
        process.arguments = ["python3", script, "--out", out.path, "--cert", "cert.pem", "--key", "key.pem",
                             "--user", user, "--password", password] + (startTLS ? [] : ["--no-starttls"])
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("sink.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }), let port = Int(line.dropFirst(6)) {
                return SMTPSink(port: port, directory: directory, process: process)
            }
            if !process.isRunning { throw SinkError.failed("smtp_sink.py exited: \(text)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        throw SinkError.failed("smtp_sink.py did not start within 30 s")
    }

    /// The messages received so far, in order.
    func messages() -> [[String: Any]] {
        let out = directory.appendingPathComponent("out")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted { Int($0.dropLast(5)) ?? 0 < Int($1.dropLast(5)) ?? 0 }
        return names.compactMap { name in
            (try? Data(contentsOf: out.appendingPathComponent(name))).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
    }

    /// Kills the server without waiting for it: `waitUntilExit` would block a thread of the cooperative pool,
    /// which on a two-core machine stalls every other test.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        try? FileManager.default.removeItem(at: directory)
    }

    enum SinkError: Error { case failed(String) }
}
