import Crypto
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL in the middle of a large push: after a restart the half-pushed version does not exist,
/// earlier versions are intact and the temp file is gone.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test
    func killedMidPushLeavesNoTrace() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let admin = "API-CRASHTESTADMIN000000000000000"
        let earlier = try temporaryFile(named: "Crash.1.0.zip", bytes: randomBytes(100_000))
        let large = try temporaryFile(named: "Crash.2.0.zip", bytes: randomBytes(64 * 1024 * 1024))
        defer {
            try? FileManager.default.removeItem(at: earlier.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: large.deletingLastPathComponent())
        }

        var server = try await ServerProcess(dataDirectory: data, adminKey: admin)
        #expect(try await Curl.run(["-F", "file=@\(earlier.path)", "-H", "X-Octopus-ApiKey: \(admin)", "\(server.baseURL)/api/packages/raw"]).status == 201)

        // A slow push, so that the kill lands in the middle of it.
        let push = Process()
        push.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        push.arguments = ["-sS", "--limit-rate", "8M", "-F", "file=@\(large.path)", "-H", "X-Octopus-ApiKey: \(admin)", "\(server.baseURL)/api/packages/raw"]
        push.standardOutput = FileHandle.nullDevice
        push.standardError = FileHandle.nullDevice
        try push.run()
        let temporary = data.appendingPathComponent("tmp")
        var partialSeen = false
        for _ in 0..<200 {
            let sizes = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path))?.compactMap {
                (try? FileManager.default.attributesOfItem(atPath: temporary.appendingPathComponent($0).path)[.size] as? Int) ?? nil
            } ?? []
            if sizes.contains(where: { $0 > 4 * 1024 * 1024 }) { partialSeen = true; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(partialSeen, "the push was under way when the server was killed")
        server.kill(signal: SIGKILL)
        push.waitUntilExit()

        server = try await ServerProcess(dataDirectory: data, adminKey: admin)
        defer { server.kill(signal: SIGTERM) }
        #expect(try await Curl.run(["\(server.baseURL)/api/packages/Crash/2.0"]).status == 404)
        let target = data.appendingPathComponent("earlier-download")
        let download = try await Curl.run(["-H", "X-Octopus-ApiKey: \(admin)", "-o", target.path, "\(server.baseURL)/api/packages/Crash/1.0/download"])
        #expect(download.status == 200)
        #expect(try Data(contentsOf: target) == Data(contentsOf: earlier))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }
}
