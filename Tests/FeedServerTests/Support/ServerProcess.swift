import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The real `backupfeed serve` binary, started the way an operator starts it.
final class ServerProcess {
    let process = Process()
    let port: Int
    let dataDirectory: URL
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The executable SwiftPM built next to the test bundle.
    static var executable: URL? {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("backupfeed")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// The executable, or an error that fails the test (never a skip: CI must run these).
    static func requireExecutable() throws -> URL {
        guard let executable else { throw ServerError.noExecutable }
        return executable
    }

    init(dataDirectory: URL, adminKey: String, extraArguments: [String] = []) async throws {
        guard let executable = Self.executable else { throw ServerError.noExecutable }
        self.dataDirectory = dataDirectory
        port = Self.freePort()
        process.executableURL = executable
        process.arguments = ["serve", "--port", String(port), "--data-dir", dataDirectory.path, "--log-level", "warning"] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["BACKUPFEED_ADMIN_KEY"] = adminKey
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try await waitUntilHealthy()
    }

    enum ServerError: Error { case noExecutable, didNotStart }

    private func waitUntilHealthy() async throws {
        for _ in 0..<200 {
            if (try? await Curl.run(["\(baseURL)/health"]))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerError.didNotStart
    }

    func kill(signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
