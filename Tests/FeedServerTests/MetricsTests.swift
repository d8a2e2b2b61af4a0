import FeedServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /metrics` scraped over a real socket and parsed: every counter moves by exactly what the test did.
@Suite struct MetricsTests {
    static func scrape(_ client: some TestClientProtocol, key: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> PrometheusText {
        let response = try await client.execute(uri: "/metrics", method: .get, headers: key.map { .key($0) } ?? [:])
        #expect(response.status == .ok, "\(response.text)", sourceLocation: sourceLocation)
        return try PrometheusText(response.text)
    }

    static func put(_ client: some TestClientProtocol, _ path: String, _ bytes: [UInt8], key: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .put, headers: .key(key), body: ByteBuffer(bytes: bytes))
    }

    @Test func pushesDownloadsRequestsAndQueueAreCounted() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let first = randomBytes(12_345), second = randomBytes(4_321)
        try await feed.app().test(.live) { client in
            let before = try await Self.scrape(client)
            #expect(before.types["backupfeed_pushes_total"] == "counter")
            #expect(before.types["backupfeed_verification_duration_seconds"] == "histogram")
            #expect(before.value("backupfeed_pushes_total", ["result": "created"]) == 0, "every result exists from the start")
            #expect(before.value("backupfeed_verification_queue_depth") == 0)
            #expect(before.value("backupfeed_downloads_total") == 0)

            func pushes(_ text: PrometheusText, _ result: String) -> Double? { text.value("backupfeed_pushes_total", ["result": result]) }
            func bytes(_ text: PrometheusText, _ result: String) -> Double? { text.value("backupfeed_pushed_bytes_total", ["result": result]) }

            #expect(try await Self.put(client, "/api/packages/Orders/1.0.0", first, key: feed.pushKey).status == .created)
            let created = try await Self.scrape(client)
            #expect(pushes(created, "created") == 1)
            #expect(bytes(created, "created") == Double(first.count))
            #expect(created.value("backupfeed_verification_queue_depth") == 1, "verification is off, so the new version waits in the queue")
            #expect(created.types["backupfeed_http_request_duration_seconds"] == "histogram")
            let putCreated = ["method": "PUT", "status": "201"]
            #expect(created.value("backupfeed_http_request_duration_seconds_count", putCreated) == 1)
            #expect((created.value("backupfeed_http_request_duration_seconds_sum", putCreated) ?? -1) > 0)

            #expect(try await Self.put(client, "/api/packages/Orders/1.0.0", first, key: feed.pushKey).status == .ok)
            let unchanged = try await Self.scrape(client)
            #expect(pushes(unchanged, "unchanged") == 1)
            #expect(bytes(unchanged, "unchanged") == Double(first.count))
            #expect(pushes(unchanged, "created") == 1)

            #expect(try await Self.put(client, "/api/packages/Orders/1.0.0", second, key: feed.pushKey).status == .conflict)
            let rejected = try await Self.scrape(client)
            #expect(pushes(rejected, "rejected") == 1)
            #expect(bytes(rejected, "rejected") == Double(second.count), "the whole body was read before the conflict was found")
            #expect(rejected.value("backupfeed_http_request_duration_seconds_count", ["method": "PUT", "status": "409"]) == 1)

            #expect(try await Self.put(client, "/api/packages/Orders/1.0.0?overwriteMode=IgnoreIfExists", second, key: feed.pushKey).status == .ok)
            #expect(try await Self.put(client, "/api/packages/Orders/1.0.0?overwriteMode=OverwriteExisting", second, key: feed.pushKey).status == .ok)
            #expect(try await Self.put(client, "/api/packages/Orders/1.0.0", first, key: "API-NOTAKEY").status == .unauthorized)
            let modes = try await Self.scrape(client)
            #expect(pushes(modes, "ignored") == 1)
            #expect(pushes(modes, "replaced") == 1)
            #expect(bytes(modes, "replaced") == Double(second.count))
            #expect(pushes(modes, "created") == 1)
            // The bad key is refused by the auth middleware before the push route runs: a 401 request, not a push.
            #expect(pushes(modes, "rejected") == 1)
            #expect(modes.value("backupfeed_http_request_duration_seconds_count", ["method": "PUT", "status": "401"]) == 1)

            let getsBefore = modes.value("backupfeed_http_request_duration_seconds_count", ["method": "GET", "status": "200"]) ?? 0
            let download = try await client.execute(uri: "/api/packages/Orders/1.0.0/download", method: .get, headers: .key(feed.readKey))
            #expect(download.status == .ok)
            #expect(download.body.readableBytes == second.count)
            var rangeHeaders = HTTPFields.key(feed.readKey)
            rangeHeaders[.range] = "bytes=0-99"
            let ranged = try await client.execute(uri: "/api/packages/Orders/1.0.0/download", method: .get, headers: rangeHeaders)
            #expect(ranged.status == .partialContent)
            let head = try await client.execute(uri: "/api/packages/Orders/1.0.0/download", method: .head, headers: .key(feed.readKey))
            #expect(head.status == .ok)
            let downloaded = try await Self.scrape(client)
            #expect(downloaded.value("backupfeed_downloads_total") == 2, "GET and ranged GET count; HEAD sends no file")
            #expect(downloaded.value("backupfeed_downloaded_bytes_total") == Double(second.count + 100))
            let getsAfter = downloaded.value("backupfeed_http_request_duration_seconds_count", ["method": "GET", "status": "200"]) ?? 0
            // The download and the scrapes in between (each scrape is recorded once its body is written).
            #expect(getsAfter >= getsBefore + 2)
            #expect(downloaded.value("backupfeed_http_request_duration_seconds_count", ["method": "GET", "status": "206"]) == 1)

            #expect(try await Self.put(client, "/api/packages/Invoices/2.0.0", first, key: feed.pushKey).status == .created)
            let two = try await Self.scrape(client)
            // Orders 1.0.0 (replacing its bytes dropped its old job and queued a new one) and Invoices 2.0.0.
            #expect(two.value("backupfeed_verification_queue_depth") == 2)
            #expect(two.samples(named: "backupfeed_last_verified_timestamp_seconds").isEmpty, "nothing passed verification yet")
            let statuses = Set(two.samples(named: "backupfeed_http_request_duration_seconds_count").compactMap { $0.labels["status"] })
            #expect(statuses.allSatisfy { Int($0) != nil }, "status codes, never paths: \(statuses)")
            #expect(two.samples.allSatisfy { $0.labels.keys.allSatisfy { ["result", "method", "status", "engine", "verdict", "package", "le"].contains($0) } })
        }
    }

    @Test func anUploadOverTheLimitIsARejectedPush() async throws {
        let feed = try await TestFeed(maxUploadSize: 1000)
        defer { feed.remove() }
        try await feed.app().test(.live) { client in
            let body = MultipartBody(filename: "Big.1.0.0.zip", bytes: randomBytes(5000))
            var headers = HTTPFields.key(feed.pushKey)
            headers[.contentType] = body.contentType
            let response = try await client.execute(uri: "/api/packages/raw", method: .post, headers: headers, body: body.data)
            #expect(response.status == .contentTooLarge)
            let metrics = try await Self.scrape(client)
            #expect(metrics.value("backupfeed_pushes_total", ["result": "rejected"]) == 1)
            #expect(metrics.value("backupfeed_pushes_total", ["result": "created"]) == 0)
            #expect(metrics.value("backupfeed_http_request_duration_seconds_count", ["method": "POST", "status": "413"]) == 1)
        }
    }

    @Test func exposesPrometheusContentTypeAndNeedsAReadKeyOnlyWhenPrivate() async throws {
        let open = try await TestFeed()
        defer { open.remove() }
        try await open.app().test(.live) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true, "\(String(describing: response.headers[.contentType]))")
        }
        let closed = try await TestFeed(privateMetadata: true)
        defer { closed.remove() }
        try await closed.app().test(.live) { client in
            let anonymous = try await client.execute(uri: "/metrics", method: .get)
            #expect(anonymous.status == .unauthorized)
            let reader = try await client.execute(uri: "/metrics", method: .get, headers: .key(closed.readKey))
            #expect(reader.status == .ok)
        }
    }

    /// Two applications in one process count separately (no process-wide metrics system).
    @Test func eachApplicationHasItsOwnRegistry() async throws {
        let one = try await TestFeed(), two = try await TestFeed()
        defer { one.remove(); two.remove() }
        let appOne = try await one.app(), appTwo = try await two.app()
        try await appOne.test(.live) { client in
            let push = try await Self.put(client, "/api/packages/Solo/1.0.0", randomBytes(100), key: one.pushKey)
            #expect(push.status == .created)
            let metrics = try await Self.scrape(client)
            #expect(metrics.value("backupfeed_pushes_total", ["result": "created"]) == 1)
        }
        try await appTwo.test(.live) { client in
            let metrics = try await Self.scrape(client)
            #expect(metrics.value("backupfeed_pushes_total", ["result": "created"]) == 0)
        }
    }

    /// `backupfeed_package_stale` follows the policy's `maxAgeHours`: a package that never passed is measured from
    /// its creation, so with a limit of 1.8 s it turns stale while the test watches; one with a long limit stays fresh,
    /// one without a limit has no series.
    @Test func stalenessFollowsMaxAgeHours() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.live) { client in
            let admin = FeedClient(transport: .testClient(client), pushKey: feed.pushKey, readKey: feed.readKey)
            for name in ["Rotting", "Fresh", "Unwatched"] {
                let push = try await Self.put(client, "/api/packages/\(name)/1.0.0", randomBytes(100), key: feed.pushKey)
                #expect(push.status == .created)
            }
            #expect(try await admin.setPolicy("Rotting", #"{"maxAgeHours": 0.0005}"#).status == 200)
            #expect(try await admin.setPolicy("Fresh", #"{"maxAgeHours": 1000}"#).status == 200)
            var metrics = try await Self.scrape(client)
            let deadline = ContinuousClock.now + .seconds(60)
            while metrics.value("backupfeed_package_stale", ["package": "Rotting"]) != 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                metrics = try await Self.scrape(client)
            }
            #expect(metrics.types["backupfeed_package_stale"] == "gauge")
            #expect(metrics.value("backupfeed_package_stale", ["package": "Rotting"]) == 1)
            #expect(metrics.value("backupfeed_package_stale", ["package": "Fresh"]) == 0)
            #expect(metrics.value("backupfeed_package_stale", ["package": "Unwatched"]) == nil)
        }
    }

    /// A real SQLite verification: its duration lands in the engine's histogram and the package's last-verified gauge.
    @Test func aPassedSQLiteVerificationIsTimedAndDated() async throws {
        let sandbox = try Verification.privateSandbox()
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let zip = try Verification.zip(file: Verification.petclinic("petclinic.sqlite.sql"))
        defer { Verification.discard(zip) }
        try await Verification.withFeed(sandbox: sandbox) { _, client in
            try await client.push(zip, id: "PetClinicDB", version: "2022.06.20")
            let verdict = try await client.waitForVerdict("PetClinicDB", "2022.06.20")
            #expect(verdict.status == "passed", "\(verdict)")
            // The verdict is in the catalog a moment before the event reaches the metrics listener.
            var metrics = try PrometheusText(try await client.get("/metrics").body)
            let deadline = ContinuousClock.now + .seconds(30)
            while metrics.value("backupfeed_verification_duration_seconds_count", ["engine": "sqlite", "verdict": "passed"]) != 1,
                ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                metrics = try PrometheusText(try await client.get("/metrics").body)
            }
            #expect(metrics.value("backupfeed_verification_duration_seconds_count", ["engine": "sqlite", "verdict": "passed"]) == 1)
            #expect((metrics.value("backupfeed_verification_duration_seconds_sum", ["engine": "sqlite", "verdict": "passed"]) ?? 0) > 0)
            #expect(metrics.value("backupfeed_verification_duration_seconds_count", ["engine": "none", "verdict": "error"]) == 0)
            let last = try #require(metrics.value("backupfeed_last_verified_timestamp_seconds", ["package": "PetClinicDB"]))
            #expect(abs(last - Date().timeIntervalSince1970) < 60, "\(last)")
            #expect(metrics.value("backupfeed_verification_queue_depth") == 0)
        }
    }
}
