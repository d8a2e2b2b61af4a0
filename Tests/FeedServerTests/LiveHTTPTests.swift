import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Over a real socket with the real curl: what backup scripts do.
@Suite struct LiveHTTPTests {
    @Test func twentyConcurrentPushesOfOneVersionGiveOneWinner() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let files = try (0..<20).map { index in
            try temporaryFile(named: "Race.1.0.0.zip", bytes: randomBytes(200_000 + index))
        }
        defer { files.forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }
        try await feed.app().test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)/api/packages/raw"
            let results = try await Curl.concurrently(files.map { ["-F", "file=@\($0.path)", "-H", "X-Octopus-ApiKey: \(feed.pushKey)", url] })
            let statuses = results.map(\.status)
            #expect(statuses.filter { $0 == 201 }.count == 1, "statuses: \(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == 19, "statuses: \(statuses)")
            let winner = try #require(results.firstIndex { $0.status == 201 })
            let download = try await Curl.run(["-H", "X-Octopus-ApiKey: \(feed.readKey)", "http://127.0.0.1:\(client.port!)/api/packages/Race/1.0.0"])
            let sha = SHA256.hash(data: try Data(contentsOf: files[winner])).map { String(format: "%02x", $0) }.joined()
            #expect(download.body.contains(sha), "the stored bytes are the winner's")
        }
        #expect(try feed.blobFiles().count == 1)
        #expect(try feed.temporaryFiles().isEmpty)
    }

    @Test func fiftyConcurrentPushesOfDistinctVersionsAllLand() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let files = try (0..<50).map { index in
            try temporaryFile(named: "Many.1.0.\(index).zip", bytes: randomBytes(50_000))
        }
        defer { files.forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }
        try await feed.app().test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)/api/packages/raw"
            let results = try await Curl.concurrently(files.map { ["-F", "file=@\($0.path)", "-H", "X-Octopus-ApiKey: \(feed.pushKey)", url] })
            #expect(results.allSatisfy { $0.status == 201 }, "statuses: \(results.map(\.status))")
            for (index, file) in files.enumerated() {
                let target = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: target) }
                let download = try await Curl.run([
                    "-H", "X-Octopus-ApiKey: \(feed.readKey)", "-o", target.path,
                    "http://127.0.0.1:\(client.port!)/api/packages/Many/1.0.\(index)/download",
                ])
                #expect(download.status == 200)
                #expect(try Data(contentsOf: target) == Data(contentsOf: file))
            }
        }
        #expect(try feed.blobFiles().count == 50)
    }

    @Test func expectContinueIsAnsweredAtOnce() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let file = try temporaryFile(named: "Quick.1.0.zip", bytes: randomBytes(2_000_000))
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try await feed.app().test(.live) { client in
            // --expect100-timeout 30: were the server silent, curl would wait 30 s and the test would see no 100.
            let result = try await Curl.run([
                "-v", "--expect100-timeout", "30", "-H", "Expect: 100-continue", "-F", "file=@\(file.path)",
                "-H", "X-Octopus-ApiKey: \(feed.pushKey)",
                "http://127.0.0.1:\(client.port!)/api/packages/raw",
            ])
            #expect(result.stderr.contains("HTTP/1.1 100 Continue"))
            #expect(result.status == 201)
        }
    }
}
