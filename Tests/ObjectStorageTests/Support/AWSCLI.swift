import Foundation
import ObjectStorage

/// The AWS CLI (`awscli` from PyPI, installed by scripts/test.sh), run against the moto server on its own
/// thread so that waiting for it never blocks the cooperative pool.
enum AWSCLI {
    struct Result: CustomStringConvertible {
        let status: Int32
        let output: String
        var description: String { "exit \(status)\n\(output)" }
    }

    static func run(_ arguments: [String], endpoint: URL, timeout: TimeInterval = 120) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try runBlocking(arguments, endpoint: endpoint, timeout: timeout) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], endpoint: URL, timeout: TimeInterval) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["aws", "--endpoint-url", endpoint.absoluteString] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = MotoServer.credentials.accessKeyID
        environment["AWS_SECRET_ACCESS_KEY"] = MotoServer.credentials.secretAccessKey
        environment["AWS_DEFAULT_REGION"] = "us-east-1"
        environment.removeValue(forKey: "AWS_SESSION_TOKEN")
        environment.removeValue(forKey: "AWS_PROFILE")
        process.environment = environment
        // One file for both streams: two pipes read one after the other deadlock when the second fills up.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("aws-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try handle.close()
        return Result(status: process.terminationStatus, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
