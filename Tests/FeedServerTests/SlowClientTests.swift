import FeedServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Slow and greedy clients over real sockets: the header timeout, the idle timeout (silence, not length) and the
/// connection cap, each with its hostile variants, and the server answering normally afterwards.
@Suite struct SlowClientTests {
    static func configuration(_ feed: TestFeed, header: Duration = .seconds(2), idle: Duration = .seconds(60), max: Int = 512)
        -> FeedServerConfiguration
    {
        var configuration = feed.configuration
        configuration.connectionLimits = ConnectionLimits(headerTimeout: header, idleTimeout: idle, maxConnections: max)
        return configuration
    }

    static func healthy(_ port: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reply = try await Curl.run(["--max-time", "10", "http://127.0.0.1:\(port)/health"])
        #expect(reply.status == 200, "the server still answers: \(reply.stderr)", sourceLocation: sourceLocation)
    }

    @Test func connectionsWithoutACompleteHeadAreClosedAtTheHeaderTimeout() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await buildApplication(Self.configuration(feed)).test(.live) { client in
            let port = client.port!
            let silent = try RawConnection(port: port)
            let half = try RawConnection(port: port)
            half.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            let noBlankLine = try RawConnection(port: port)
            noBlankLine.send("PUT /api/packages/Slow/1.0.0 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nX-Octopus-ApiKey: \(feed.pushKey)\r\n")
            let justTheMethod = try RawConnection(port: port)
            justTheMethod.send("GE")

            // Slowloris: a header byte every 200 ms keeps bytes moving, and must not keep the connection.
            let dripping = try RawConnection(port: port)
            let drip = Task {
                for byte in Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 200) {
                    guard dripping.send([byte]) else { return }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            defer { drip.cancel() }

            for (name, connection) in [("silent", silent), ("half a head", half), ("no blank line", noBlankLine), ("GE", justTheMethod)] {
                let closedAfter = try await connection.waitForClose(timeout: .seconds(15))
                let after = try #require(closedAfter, "\(name): still open 15 s after connecting")
                #expect(after < .seconds(10), "\(name) closed after \(after)")
                #expect(!connection.text.contains("200 OK"), "\(name) got no answer: \(connection.text)")
            }
            let drippedFor = try #require(try await dripping.waitForClose(timeout: .seconds(15)), "the dripping client is still connected")
            #expect(drippedFor < .seconds(10))
            #expect(!dripping.text.contains("200 OK"))
            try await Self.healthy(port)
        }
    }

    @Test func aCompleteHeadInTimeIsAnsweredAndAnIdleKeepAliveIsClosedLater() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await buildApplication(Self.configuration(feed)).test(.live) { client in
            let connection = try RawConnection(port: client.port!)
            // Well within the 2 s: answered, and the connection stays for the next request.
            connection.send("GET /health HTTP/1.1\r\n")
            try await Task.sleep(for: .milliseconds(500))
            connection.send("Host: 127.0.0.1\r\n\r\n")
            let answer = try await connection.waitFor(timeout: .seconds(10)) { $0.contains("\"ok\"") }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            #expect(!connection.closedByPeer)
            // Then nothing: the wait for the next head is bounded by the same timeout.
            let closedAfter = try #require(try await connection.waitForClose(timeout: .seconds(15)), "an idle keep-alive connection stayed open")
            #expect(closedAfter > .milliseconds(1000) && closedAfter < .seconds(10), "closed after \(closedAfter)")
        }
    }

    @Test func aSlowButSteadyUploadOutlivesBothTimeouts() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let payload = randomBytes(40)
        // Header 1 s, idle 2 s; the body takes about 4 s in pieces 400 ms apart: long in total, never silent.
        try await buildApplication(Self.configuration(feed, header: .seconds(1), idle: .seconds(2))).test(.live) { client in
            let connection = try RawConnection(port: client.port!)
            connection.send(
                "PUT /api/packages/Trickle/1.0.0 HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: \(feed.pushKey)\r\nContent-Length: \(payload.count)\r\n\r\n")
            for piece in stride(from: 0, to: payload.count, by: 4) {
                try await Task.sleep(for: .milliseconds(400))
                #expect(connection.send(Array(payload[piece..<min(piece + 4, payload.count)])), "cut off at byte \(piece)")
            }
            let answer = try await connection.waitFor(timeout: .seconds(10)) { $0.contains("\r\n\r\n") }
            #expect(answer.hasPrefix("HTTP/1.1 201"), "\(answer)")
        }
    }

    @Test func aStalledUploadIsClosedAtTheIdleTimeoutAndLeavesNothing() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await buildApplication(Self.configuration(feed, header: .seconds(1), idle: .seconds(2))).test(.live) { client in
            var stalled: [RawConnection] = []
            // Variants: stops after the head, in the middle of a raw body, in the middle of a multipart part.
            let afterHead = try RawConnection(port: client.port!)
            afterHead.send("PUT /api/packages/Stall/1.0.0 HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: \(feed.pushKey)\r\nContent-Length: 100000\r\n\r\n")
            stalled.append(afterHead)
            let midBody = try RawConnection(port: client.port!)
            midBody.send("PUT /api/packages/Stall/1.0.1 HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: \(feed.pushKey)\r\nContent-Length: 100000\r\n\r\n")
            midBody.send(randomBytes(30_000))
            stalled.append(midBody)
            let chunked = try RawConnection(port: client.port!)
            chunked.send("PUT /api/packages/Stall/1.0.2 HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: \(feed.pushKey)\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunked.send("400\r\n" + String(repeating: "x", count: 1024) + "\r\n")
            stalled.append(chunked)
            let body = MultipartBody(filename: "Stall.1.0.3.zip", bytes: randomBytes(50_000))
            let multipart = try RawConnection(port: client.port!)
            multipart.send(
                "POST /api/packages/raw HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: \(feed.pushKey)\r\nContent-Type: \(body.contentType)\r\nContent-Length: \(body.data.readableBytes)\r\n\r\n")
            multipart.send(Array(body.data.readableBytesView.prefix(20_000)))
            stalled.append(multipart)

            for (index, connection) in stalled.enumerated() {
                let closedAfter = try #require(try await connection.waitForClose(timeout: .seconds(20)), "stalled upload \(index) still open")
                #expect(closedAfter < .seconds(12), "stalled upload \(index) closed after \(closedAfter)")
                #expect(!connection.text.contains(" 201 "), "\(connection.text)")
            }
            // The partial temp files go with the cancelled requests.
            var leftovers = try feed.temporaryFiles()
            for _ in 0..<50 where !leftovers.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                leftovers = try feed.temporaryFiles()
            }
            #expect(leftovers.isEmpty, "\(leftovers)")
            let versions = try await Curl.run(["http://127.0.0.1:\(client.port!)/api/packages/Stall/versions"])
            #expect(versions.status == 404, "nothing was stored: \(versions.body)")
            try await Self.healthy(client.port!)
        }
    }

    /// The real binary: an in-process test app's own client holds a connection of its own, which would blur the count.
    @Test func connectionsBeyondTheCapAreAnswered503UntilOthersClose() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-cap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess(
            dataDirectory: data, adminKey: TestFeed.adminKey, extraArguments: ["--max-connections", "3", "--header-timeout", "60"])
        defer { server.kill(signal: SIGTERM) }
        let port = server.port
        func health() async throws -> Int { try await Curl.run(["--max-time", "10", "\(server.baseURL)/health"]).status }
        func waitForHealth() async throws -> Int {
            var status = 0
            for _ in 0..<50 where status != 200 {
                try await Task.sleep(for: .milliseconds(100))
                status = try await health()
            }
            return status
        }

        // Three idle connections fill the cap.
        var held: [RawConnection] = []
        for _ in 0..<3 { held.append(try RawConnection(port: port)) }
        try await Task.sleep(for: .milliseconds(300))

        let extra = try RawConnection(port: port)
        extra.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let refused = try await extra.waitFor(timeout: .seconds(10)) { $0.contains("too many connections") }
        #expect(refused.hasPrefix("HTTP/1.1 503"), "\(refused)")
        #expect(refused.lowercased().contains("retry-after: 1"))
        #expect(try await extra.waitForClose(timeout: .seconds(5)) != nil, "the refused connection is closed")
        #expect(try await health() == 503)

        // One held connection goes: a new one gets through.
        held.removeFirst().close()
        #expect(try await waitForHealth() == 200)
        held.append(try RawConnection(port: port))
        try await Task.sleep(for: .milliseconds(300))

        // A flood far past the cap: each refused, none kept, and the server answers once it is gone.
        var flood: [RawConnection] = []
        for _ in 0..<40 {
            let connection = try RawConnection(port: port)
            connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            flood.append(connection)
        }
        for connection in flood {
            _ = try await connection.waitForClose(timeout: .seconds(10))
            #expect(connection.closedByPeer && !connection.text.contains("200 OK"), "\(connection.text)")
        }
        held.forEach { $0.close() }
        #expect(try await waitForHealth() == 200, "the server answers again once the flood is gone")
    }
}

/// A download whose client stops reading: the server must not keep writing into a full socket for ever; one that
/// reads slowly but steadily must not be cut.
@Suite struct StalledDownloadTests {
    static let size = 16 * 1024 * 1024

    @Test func aClientThatStopsReadingIsClosedAtTheIdleTimeoutAndASlowReaderIsNot() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        // 8 s of silence: long enough that a loaded two-core machine never starves the slow reader below for that long.
        let configuration = SlowClientTests.configuration(feed, header: .seconds(30), idle: .seconds(8))
        try await buildApplication(configuration).test(.router) { client in
            let put = try await client.execute(
                uri: "/api/packages/Big/1.0?extension=zip", method: .put, headers: .key(feed.pushKey), body: ByteBuffer(bytes: randomBytes(Self.size)))
            #expect(put.status == .created)
        }
        try await buildApplication(configuration).test(.live) { client in
            let request = "GET /api/packages/Big/1.0/download HTTP/1.1\r\nHost: x\r\nX-Octopus-ApiKey: \(feed.readKey)\r\n\r\n"
            // Never reads (and a small receive buffer, so that the server's writes stop soon): given up after the idle
            // timeout; what was buffered is less than the file.
            let stalled = try RawConnection(port: client.port!, receiveBuffer: 16 * 1024)
            stalled.send(request)
            try await Task.sleep(for: .seconds(14))
            _ = try await stalled.waitForClose(timeout: .seconds(20))
            #expect(stalled.closedByPeer, "the stalled download is closed")
            #expect(stalled.received.count < Self.size, "and did not complete: \(stalled.received.count) bytes")

            // Reads at most 128 KiB every 100 ms through a small buffer, far slower than the server could send, for the
            // whole download: never silent for the 8 s, never cut.
            let slow = try RawConnection(port: client.port!, receiveBuffer: 64 * 1024)
            slow.send(request)
            let start = ContinuousClock.now
            while slow.received.count <= Self.size, !slow.closedByPeer, ContinuousClock.now - start < .seconds(120) {
                slow.poll(limit: 128 * 1024)
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(slow.received.count > Self.size, "the slow download completes: \(slow.received.count) bytes, \(slow.ending ?? "open") after \(ContinuousClock.now - start)")
        }
    }
}
