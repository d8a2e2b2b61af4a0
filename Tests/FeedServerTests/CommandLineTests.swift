import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `backupfeed` binary as an operator uses it: keys, the first start, SIGTERM.
@Suite struct CommandLineTests {
    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = try ServerProcess.requireExecutable()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func keysAreCreatedListedAndRevokedWithoutEverShowingThemAgain() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let created = try run(["keys", "create", "--data-dir", data.path, "--name", "nightly", "--scope", "push"])
        #expect(created.status == 0)
        let key = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("API-") && key.count == 36, "stdout is the key and nothing else: \(created.stdout)")

        let listed = try run(["keys", "list", "--data-dir", data.path])
        #expect(listed.stdout.contains("nightly\tpush"))
        #expect(!listed.stdout.contains(key))
        #expect(try run(["keys", "create", "--data-dir", data.path, "--name", "x", "--scope", "root"]).status != 0)

        let server = try await ServerProcess(dataDirectory: data, adminKey: "API-CLITESTADMIN0000000000000")
        let url = "\(server.baseURL)/api/packages/Cli/1.0"
        #expect(try await Curl.run(["-T", "/etc/hostname", "-H", "X-Octopus-ApiKey: \(key)", url]).status == 201)
        #expect(try run(["keys", "revoke", "--data-dir", data.path, "nightly"]).status == 0)
        #expect(try await Curl.run(["-T", "/etc/hostname", "-H", "X-Octopus-ApiKey: \(key)", url + ".1"]).status == 401)
        server.kill(signal: SIGTERM)
        #expect(server.process.terminationStatus == 0, "SIGTERM stops the server cleanly")
    }

    @Test func firstStartWritesTheAdminKeyToAPrivateFileAndLogsOnlyItsPath() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-first-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let keyFile = data.appendingPathComponent("initial-admin-key")
        for attempt in 0..<2 {
            let process = Process()
            process.executableURL = try ServerProcess.requireExecutable()
            let port = ServerProcess.freePort()
            process.arguments = ["serve", "--port", String(port), "--data-dir", data.path]
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "BACKUPFEED_ADMIN_KEY")
            process.environment = environment
            let err = Pipe()
            process.standardError = err
            process.standardOutput = err
            try process.run()
            try await Task.sleep(for: .seconds(2))
            if attempt == 0 {
                let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
                #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(attributes)")
                let key = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(key.hasPrefix("API-"))
                let admin = try await Curl.run(["-H", "X-Octopus-ApiKey: \(key)", "http://127.0.0.1:\(port)/api/webhooks"])
                #expect(admin.status == 200, "the key in the file is an admin key: \(admin.body)")
                // The operator takes the key and removes the file, as the log asks.
                try FileManager.default.removeItem(at: keyFile)
            }
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 0)
            #expect(!log.contains("API-"), "no key in the log: \(log)")
            if attempt == 0 {
                #expect(log.contains("created the first admin key"))
                #expect(log.contains(keyFile.path), "the log names the file: \(log)")
            } else {
                #expect(!log.contains("created the first admin key"), "a key is made only on the very first start")
                #expect(!FileManager.default.fileExists(atPath: keyFile.path), "and not written again")
            }
        }
    }
}
