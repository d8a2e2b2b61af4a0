import Foundation

/// Runs the real curl, as backup scripts do, and returns the HTTP status, the body and curl's stderr.
struct Curl {
    struct Result {
        let status: Int
        let body: String
        let stderr: String
    }

    /// Runs curl on its own thread: the server under test shares this process's cooperative pool,
    /// and a test blocking that pool while waiting for curl would starve the server that curl waits for.
    static func run(_ arguments: [String]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Swift.Result { try runBlocking(arguments) }) }
        }
    }

    private static func runBlocking(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: bodyFile) }
        // A caller's own -o wins: curl pairs the first -o with the first URL.
        let output = arguments.contains("-o") ? [] : ["-o", bodyFile.path]
        process.arguments = ["-sS"] + output + ["-w", "%{http_code}"] + arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let body = (try? String(contentsOf: bodyFile, encoding: .utf8)) ?? ""
        return Result(status: Int(String(decoding: out, as: UTF8.self)) ?? 0, body: body, stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs many curls at once, so that requests really overlap on the wire.
    static func concurrently(_ commands: [[String]]) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            for (index, command) in commands.enumerated() {
                group.addTask { (index, try await run(command)) }
            }
            var results = [Result?](repeating: nil, count: commands.count)
            for try await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }
}

/// A file of random bytes in the temp directory, removed by the caller.
func temporaryFile(named name: String, bytes: [UInt8]) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("push-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}
