import Foundation
import Testing

/// `backupfeed verify FILE` as a person runs it locally: readable text, `--json`, and exit codes 0/1/2.
@Suite struct VerifyCommandTests {
    private func verify(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = try ServerProcess.requireExecutable()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("verify-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        process.arguments = ["verify"] + arguments + ["--work-dir", work.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self))
    }

    @Test func exitCodesAndOutputFollowTheVerdict() throws {
        let dumps = Verification.fixtures.appendingPathComponent("petclinic/dumps")
        let good = try verify([dumps.appendingPathComponent("petclinic.sqlite.sql").path])
        #expect(good.status == 0)
        #expect(good.stdout.contains("passed"))
        #expect(good.stdout.contains("owners"))

        let json = try verify([dumps.appendingPathComponent("petclinic.sqlite").path, "--json"])
        #expect(json.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(report?["verdict"] as? String == "passed")

        let text = try String(contentsOf: dumps.appendingPathComponent("petclinic.sqlite.sql"), encoding: .utf8)
        let truncated = try temporaryFile(named: "cut.sql", bytes: Array(text.utf8.prefix(text.utf8.count / 2)))
        defer { try? FileManager.default.removeItem(at: truncated.deletingLastPathComponent()) }
        let bad = try verify([truncated.path])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("truncated"))

        let missing = try verify(["/nonexistent/dump.sql"])
        #expect(missing.status != 0)
    }
}
