import Foundation

/// Runs a program other than ours (mvn) on its own thread, output collected, killed after `timeout`.
enum ExternalTool {
    struct Result: CustomStringConvertible {
        let status: Int32
        let output: String
        var description: String { "exit \(status)\n\(output)" }
    }

    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    process.currentDirectoryURL = directory
                    // One file for both streams: two pipes read one after the other deadlock when the second fills up.
                    let log = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString).log")
                    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                    defer { try? FileManager.default.removeItem(at: log) }
                    let handle = try FileHandle(forWritingTo: log)
                    process.standardOutput = handle
                    process.standardError = handle
                    process.standardInput = FileHandle.nullDevice
                    try process.run()
                    let deadline = Date().addingTimeInterval(timeout)
                    while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
                    if process.isRunning { process.terminate() }
                    process.waitUntilExit()
                    try handle.close()
                    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                    return Result(status: process.terminationStatus, output: output)
                })
            }
        }
    }
}
