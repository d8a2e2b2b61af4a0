import Crypto
import FeedServer
import Foundation
import Testing

/// Deliveries to a real HTTP listener: payloads and signatures, verdicts from real verifications, retries with
/// backoff in strict order, giving up, and the outbox surviving a restart and a shutdown mid-attempt.
@Suite struct WebhookDeliveryTests {
    static func hmac(_ secret: String, _ body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test func backoffDoublesFromTheBaseUpToTheCap() {
        let standard = WebhookRetry()
        #expect(standard.maxAttempts == 10 && standard.attemptTimeout == 10)
        #expect((1...12).map { standard.delay(afterAttempt: $0) } == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600])
        #expect(standard.delay(afterAttempt: 1000) == 600)
        #expect(WebhookRetry(baseDelay: 0.25, maxDelay: 1).delay(afterAttempt: 3) == 1)
    }

    @Test func pushDeliversVersionPushedSignedOnlyWhenThereIsASecret() async throws {
        let listener = try await WebhookListener.start()
        defer { Task { await listener.stop() } }
        let feed = try await TestFeed()
        defer { feed.remove() }
        let secret = "correct horse battery staple"
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed)) { client in
            let signed = try await client.createWebhook(url: listener.url + "/signed", events: ["version.pushed"], secret: secret)
            let plain = try await client.createWebhook(url: listener.url + "/plain", events: ["version.pushed", "verification.passed"])
            let verdictsOnly = try await client.createWebhook(url: listener.url + "/verdicts", events: ["verification.failed"])
            let bytes = try await client.pushBytes(randomBytes(3000), id: "HookedDB", version: "2022.06.20")

            let requests = try await listener.waitForRequests(2)
            let bySignature = Dictionary(uniqueKeysWithValues: requests.map { ($0.path, $0) })
            let signedRequest = try #require(bySignature["/signed"], "\(requests.map(\.path))")
            let plainRequest = try #require(bySignature["/plain"], "\(requests.map(\.path))")

            #expect(signedRequest.headers["x-backupfeed-signature"] == Self.hmac(secret, signedRequest.body), "\(signedRequest.headers)")
            #expect(signedRequest.headers["x-backupfeed-signature"] != Self.hmac("wrong secret", signedRequest.body))
            #expect(plainRequest.headers["x-backupfeed-signature"] == nil, "no secret, no signature: \(plainRequest.headers)")
            for request in [signedRequest, plainRequest] {
                #expect(request.headers["content-type"]?.hasPrefix("application/json") == true)
                #expect(request.event == "version.pushed")
                let payload = request.json
                #expect(payload["event"] as? String == "version.pushed")
                #expect(payload["deliveryId"] as? Int == request.deliveryId, "the body carries the X-BackupFeed-Delivery id")
                #expect(payload["package"] as? String == "HookedDB")
                #expect(payload["version"] as? String == "2022.06.20")
                #expect(payload["size"] as? Int == bytes.count)
                #expect(payload["sha256"] as? String == Self.sha256(bytes))
                #expect(payload["reportUrl"] as? String == "https://feed.example.com/packages/HookedDB/2022.06.20")
                #expect((payload["summary"] as? String)?.contains("HookedDB 2022.06.20 pushed") == true, "\(payload)")
                let occurredAt = try #require(payload["occurredAt"] as? String)
                let when = try #require(ISO8601DateFormatter().date(from: occurredAt))
                #expect(abs(when.timeIntervalSinceNow) < 300)
                for field in ["verdict", "failingChecks", "lastVerifiedAt", "maxAgeHours"] {
                    #expect(payload.isNull(field), "\(field) does not apply to version.pushed: \(payload)")
                }
            }
            #expect(signedRequest.deliveryId != plainRequest.deliveryId)

            // The delivery log says what happened and keeps the body that was sent.
            let log = try await client.waitForDeliveries(webhookId: signed) { $0.first?["status"] as? String == "delivered" }
            let entry = try #require(log.first)
            #expect(log.count == 1)
            #expect(entry["id"] as? Int == signedRequest.deliveryId)
            #expect(entry["event"] as? String == "version.pushed")
            #expect(entry["attempts"] as? Int == 1)
            #expect(entry["lastStatusCode"] as? Int == 200)
            #expect(entry.isNull("lastError") && entry.isNull("nextAttemptAt"), "\(entry)")
            #expect(entry["deliveredAt"] is String && entry["createdAt"] is String)
            #expect((entry["payload"] as? [String: Any])?["sha256"] as? String == Self.sha256(bytes))
            _ = try await client.waitForDeliveries(webhookId: plain) { $0.first?["status"] as? String == "delivered" }
            #expect(try await client.deliveries(webhookId: verdictsOnly).isEmpty, "not subscribed to version.pushed")
            #expect(await listener.requests.count == 2)
        }
    }

    @Test func verificationVerdictsAreDeliveredWithTheFailingCheck() async throws {
        let full = try VerificationFailureHTTPTests.sqliteDump()
        let cut = try #require(full.range(of: "INSERT INTO owners VALUES(3,"))
        let good = try Verification.zip(Data(full.utf8)), bad = try Verification.zip(Data(full[..<cut.upperBound].utf8))
        defer { Verification.discard(good); Verification.discard(bad) }
        let listener = try await WebhookListener.start()
        defer { Task { await listener.stop() } }
        let feed = try await TestFeed()
        defer { feed.remove() }

        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed, verifications: true)) { client in
            _ = try await client.createWebhook(
                url: listener.url + "/verdicts", events: ["verification.passed", "verification.failed", "verification.error"])
            try await client.push(good, id: "Clinic", version: "1.0.0")
            #expect(try await client.waitForVerdict("Clinic", "1.0.0").status == "passed")
            try await client.push(bad, id: "Clinic", version: "1.1.0")
            #expect(try await client.waitForVerdict("Clinic", "1.1.0").status == "failed")

            let requests = try await listener.waitForRequests(2)
            #expect(requests.map(\.event) == ["verification.passed", "verification.failed"], "only verdicts, in order")
            let passed = requests[0].json, failed = requests[1].json
            #expect(passed["event"] as? String == "verification.passed")
            #expect(passed["verdict"] as? String == "passed")
            #expect(passed["version"] as? String == "1.0.0")
            #expect((passed["failingChecks"] as? [Any])?.isEmpty == true, "\(passed)")
            #expect((passed["summary"] as? String)?.isEmpty == false)
            #expect(passed["reportUrl"] as? String == "https://feed.example.com/packages/Clinic/1.0.0")

            #expect(failed["event"] as? String == "verification.failed")
            #expect(failed["verdict"] as? String == "failed")
            #expect(failed["package"] as? String == "Clinic")
            #expect(failed["version"] as? String == "1.1.0")
            #expect((failed["summary"] as? String)?.contains("truncated") == true, "\(failed)")
            let failing = failed["failingChecks"] as? [[String: Any]] ?? []
            #expect(!failing.isEmpty, "\(failed)")
            #expect(failing.allSatisfy { ($0["name"] as? String)?.isEmpty == false }, "\(failing)")
            #expect(failing.contains { ($0["reason"] as? String)?.contains("truncated") == true }, "\(failing)")
            // The failing checks are the report's failed checks, by name.
            let report = try #require(try await client.reports("Clinic", "1.1.0").first)
            let reportFailed = (report["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "failed" }.compactMap { $0["name"] as? String }
            #expect(Set(failing.compactMap { $0["name"] as? String }).isSuperset(of: reportFailed), "\(reportFailed)")
        }
    }

    @Test func failedAttemptsAreRetriedWithGrowingGapsAndOrderIsKept() async throws {
        // The first delivery is answered 500 twice; the next two must wait for it.
        let listener = try await WebhookListener.start(failFirst: 2)
        defer { Task { await listener.stop() } }
        let feed = try await TestFeed()
        defer { feed.remove() }
        let retry = WebhookRetry(baseDelay: 1, maxDelay: 600, maxAttempts: 10)
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed, retry: retry)) { client in
            let id = try await client.createWebhook(url: listener.url + "/ordered", events: ["version.pushed"])
            for version in ["1.0.1", "1.0.2", "1.0.3"] { try await client.pushBytes(randomBytes(100), id: "Ordered", version: version) }

            let requests = try await listener.waitForRequests(5)
            let versions = requests.map { $0.json["version"] as? String ?? "?" }
            #expect(versions == ["1.0.1", "1.0.1", "1.0.1", "1.0.2", "1.0.3"], "strict order, each after the previous succeeded")
            let ids = requests.compactMap(\.deliveryId)
            #expect(ids.count == 5 && ids[0] == ids[1] && ids[1] == ids[2] && ids[2] < ids[3] && ids[3] < ids[4], "\(ids)")
            #expect(Set(requests[0...2].map(\.body)).count == 1, "every attempt sends the same bytes")
            let firstGap = Self.seconds(requests[1].at - requests[0].at), secondGap = Self.seconds(requests[2].at - requests[1].at)
            #expect(firstGap >= 0.9, "first retry after about 1 s, was \(firstGap)")
            #expect(secondGap >= 1.9, "second retry after about 2 s, was \(secondGap)")

            let log = try await client.waitForDeliveries(webhookId: id) { log in
                log.count == 3 && log.allSatisfy { $0["status"] as? String == "delivered" }
            }
            #expect(log.compactMap { $0["attempts"] as? Int } == [1, 1, 3], "newest first: \(log)")
            #expect(log.allSatisfy { $0["lastStatusCode"] as? Int == 200 })
            #expect(await listener.requests.count == 5, "nothing is delivered twice once it got a 2xx")
        }
    }

    @Test func givesUpAfterMaxAttemptsAndTheNextDeliveryProceeds() async throws {
        let listener = try await WebhookListener.start(failFirst: 3)
        defer { Task { await listener.stop() } }
        let feed = try await TestFeed()
        defer { feed.remove() }
        let retry = WebhookRetry(baseDelay: 0.2, maxDelay: 600, maxAttempts: 3)
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed, retry: retry)) { client in
            let id = try await client.createWebhook(url: listener.url + "/flaky", events: ["version.pushed"])
            try await client.pushBytes(randomBytes(100), id: "GivenUp", version: "1.0.0")
            try await client.pushBytes(randomBytes(100), id: "GivenUp", version: "1.0.1")

            let log = try await client.waitForDeliveries(webhookId: id) { log in
                log.count == 2 && log.allSatisfy { ["delivered", "failed"].contains($0["status"] as? String ?? "") }
            }
            let newest = log[0], oldest = log[1]
            #expect(oldest["status"] as? String == "failed", "\(oldest)")
            #expect(oldest["attempts"] as? Int == 3)
            #expect(oldest["lastStatusCode"] as? Int == 500)
            #expect((oldest["lastError"] as? String)?.contains("500") == true, "\(oldest)")
            #expect(oldest.isNull("nextAttemptAt") && oldest.isNull("deliveredAt"))
            #expect((oldest["payload"] as? [String: Any])?["version"] as? String == "1.0.0")
            #expect(newest["status"] as? String == "delivered", "\(newest)")
            #expect(newest["attempts"] as? Int == 1)
            let requests = await listener.requests
            #expect(requests.map { $0.json["version"] as? String ?? "?" } == ["1.0.0", "1.0.0", "1.0.0", "1.0.1"])
        }
    }

    @Test func pendingDeliveriesSurviveARestart() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        // Nothing listens on the port while the first server runs.
        let port = ServerProcess.freePort()
        let configuration = WebhookFeed.configuration(feed, retry: WebhookRetry(baseDelay: 1, maxDelay: 4, maxAttempts: 10))
        let webhookId = try await withWebhookId { box in
            try await WebhookFeed.run(feed, configuration) { client in
                let id = try await client.createWebhook(url: "http://127.0.0.1:\(port)/later", events: ["version.pushed"], secret: "k")
                await box.set(id)
                try await client.pushBytes(randomBytes(100), id: "Restarted", version: "3.0.0")
                let log = try await client.waitForDeliveries(webhookId: id) { ($0.first?["attempts"] as? Int ?? 0) >= 1 }
                let entry = try #require(log.first)
                #expect(entry["status"] as? String == "pending", "\(entry)")
                #expect(entry.isNull("lastStatusCode"))
                #expect(entry["lastError"] as? String == "connection refused", "\(entry)")
                #expect(entry["nextAttemptAt"] is String, "a retry is scheduled: \(entry)")
            }
        }

        let listener = try await WebhookListener.start(port: port)
        defer { Task { await listener.stop() } }
        try await WebhookFeed.run(feed, configuration) { client in
            let request = try #require(try await listener.waitForRequests(1).first)
            #expect(request.json["version"] as? String == "3.0.0")
            #expect(request.headers["x-backupfeed-signature"] == Self.hmac("k", request.body))
            let log = try await client.waitForDeliveries(webhookId: webhookId) { $0.first?["status"] as? String == "delivered" }
            #expect((log.first?["attempts"] as? Int ?? 0) >= 2, "the attempts before the restart count: \(log)")
            #expect(log.first?["id"] as? Int == request.deliveryId)
        }
    }

    @Test func shutdownCutsAnUnansweredAttemptShortAndItIsSentAfterTheRestart() async throws {
        // The first request is never answered (until the listener stops); attempts may take the default 10 s.
        let listener = try await WebhookListener.start(hangFirst: 1)
        defer { Task { await listener.stop() } }
        let feed = try await TestFeed()
        defer { feed.remove() }
        let configuration = WebhookFeed.configuration(feed)
        let clock = ContinuousClock()
        let stopStarted = CapturedValue<ContinuousClock.Instant>()
        let webhookId = try await withWebhookId { box in
            try await WebhookFeed.run(feed, configuration) { client in
                let id = try await client.createWebhook(url: listener.url + "/slow", events: ["version.pushed"])
                await box.set(id)
                try await client.pushBytes(randomBytes(100), id: "Interrupted", version: "1.0.0")
                try await listener.waitForRequests(1)
                await stopStarted.set(clock.now)
            }
        }
        let stopSeconds = Self.seconds(clock.now - (try #require(await stopStarted.value)))
        #expect(stopSeconds < 8, "graceful shutdown does not wait for the receiver's 10 s timeout: \(stopSeconds) s")

        try await WebhookFeed.run(feed, configuration) { client in
            let requests = try await listener.waitForRequests(2)
            #expect(requests[1].deliveryId == requests[0].deliveryId, "the interrupted delivery itself is sent again")
            #expect(requests[1].body == requests[0].body)
            let log = try await client.waitForDeliveries(webhookId: webhookId) { $0.first?["status"] as? String == "delivered" }
            #expect(log.count == 1)
            #expect(log.first?["attempts"] as? Int == 1, "the interrupted attempt is not counted: \(log)")
        }
    }

    /// Runs `body` with a box for the webhook id it creates, and returns that id.
    private func withWebhookId(_ body: (CapturedValue<Int>) async throws -> Void) async throws -> Int {
        let box = CapturedValue<Int>()
        try await body(box)
        return try #require(await box.value)
    }
}

/// A value set inside a `@Sendable` closure and read after it.
actor CapturedValue<Value: Sendable> {
    private(set) var value: Value?
    func set(_ value: Value) { self.value = value }
}
