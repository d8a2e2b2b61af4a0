import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `backupfeed pull` against feeds that misbehave, on a real socket: a file name from the server that would leave the
/// output directory is never used, whatever Content-Disposition or the metadata say; a download interrupted by
/// Ctrl-C leaves no partial file.
@Suite struct ClientHostileServerTests {
    static let payload = Data("not really a backup, but bytes with a checksum\n".utf8)

    /// Serves `payload` for `id` with the given Content-Disposition name, and metadata naming the file `metadataName`.
    static func hostileFeed(id: String, dispositionName: String, metadataName: String, sha256: String) -> some ApplicationProtocol {
        let router = Router()
        router.get("api/packages/\(id)/latest/download") { _, _ in
            var headers = HTTPFields()
            headers[.contentDisposition] = "attachment; filename=\"\(dispositionName)\""
            headers[HTTPField.Name("X-Checksum-Sha256")!] = sha256
            headers[HTTPField.Name("X-Package-Version")!] = "1.0.0"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: payload)))
        }
        router.get("api/packages/\(id)/1.0.0") { _, _ in
            let metadata: [String: Any] = [
                "packageId": id, "version": "1.0.0", "size": payload.count, "sha256": sha256, "filename": metadataName,
            ]
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let body = try JSONSerialization.data(withJSONObject: metadata)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return Application(router: router)
    }

    static func payloadSHA256() throws -> String {
        let file = try temporaryFile(named: "payload", bytes: Array(payload))
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        return try ClientProcess.sha256sum(file)
    }

    @Test func aNameThatLeavesTheDirectoryFallsBackToTheMetadataName() async throws {
        let sha256 = try Self.payloadSHA256()
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let output = parent.appendingPathComponent("out")
        let app = Self.hostileFeed(id: "Evil", dispositionName: "../escaped.zip", metadataName: "Evil.1.0.0.zip", sha256: sha256)
        try await app.test(.live) { client in
            let pulled = try await ClientProcess.run(
                ["pull", "Evil", "-o", output.path, "--server", "http://127.0.0.1:\(client.port!)", "--api-key", "API-ANY"])
            #expect(pulled.status == 0, "\(pulled)")
            #expect(pulled.stderr.contains("unsafe file name '../escaped.zip'"), "\(pulled)")
            #expect(pulled.stdout.trimmingCharacters(in: .newlines) == output.appendingPathComponent("Evil.1.0.0.zip").path, "\(pulled)")
            #expect(try Data(contentsOf: output.appendingPathComponent("Evil.1.0.0.zip")) == Self.payload)
            #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent("escaped.zip").path))
        }
    }

    @Test func noSafeNameAtAllSavesNothing() async throws {
        let sha256 = try Self.payloadSHA256()
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let output = parent.appendingPathComponent("out")
        let app = Self.hostileFeed(id: "Worse", dispositionName: "/etc/cron.d/x", metadataName: "../../x.zip", sha256: sha256)
        try await app.test(.live) { client in
            let pulled = try await ClientProcess.run(
                ["pull", "Worse", "-o", output.path, "--server", "http://127.0.0.1:\(client.port!)", "--api-key", "API-ANY"])
            #expect(pulled.status == 2, "\(pulled)")
            #expect(pulled.stderr.contains("not a plain file name"), "\(pulled)")
            #expect(pulled.stdout.isEmpty)
            #expect((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] == [])
        }
    }

    /// The server sends a first megabyte and then stalls; Ctrl-C must remove the temporary file that holds it.
    @Test func anInterruptedDownloadLeavesNoPartialFile() async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("interrupted-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        // Holds the response open until the test is done with it (the app waits for its handlers when it stops).
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        defer { releaseContinuation.finish() }
        let router = Router()
        router.get("api/packages/Slow/latest/download") { _, _ in
            var headers = HTTPFields()
            headers[.contentDisposition] = "attachment; filename=\"Slow.1.0.0.zip\""
            headers[HTTPField.Name("X-Checksum-Sha256")!] = String(repeating: "0", count: 64)
            return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: 64 << 20) { writer in
                try await writer.write(ByteBuffer(repeating: 0x42, count: 1 << 20))
                for await _ in release {}
            })
        }
        try await Application(router: router).test(.live) { client in
            let process = try ClientProcess.start(
                ["pull", "Slow", "-o", output.path, "--server", "http://127.0.0.1:\(client.port!)", "--api-key", "API-ANY"])
            let deadline = ContinuousClock.now + .seconds(60)
            while Self.partialFiles(in: output).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(Self.partialFiles(in: output).count == 1, "the download started into a temporary file")
            kill(process.processIdentifier, SIGINT)
            let status = try await ClientProcess.wait(for: process, killAfter: .seconds(60))
            releaseContinuation.finish()
            #expect(status == 130, "exits as interrupted")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []).isEmpty, "nothing left in the directory")
        }
    }

    static func partialFiles(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".part") }
    }
}
