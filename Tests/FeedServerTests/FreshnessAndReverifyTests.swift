import FeedServer
import Foundation
import Testing

/// `maxAgeHours` and `reverifyDays` on a real server whose operations loop runs every 200 ms.
@Suite struct FreshnessAndReverifyTests {
    static let fastOperations: @Sendable (inout FeedServerConfiguration) -> Void = { $0.operationsCheckInterval = .milliseconds(200) }
    /// The webhook receiver listens on 127.0.0.1, a private target.
    static let fastOperationsWithLocalWebhooks: @Sendable (inout FeedServerConfiguration) -> Void = {
        fastOperations(&$0)
        $0.allowPrivateTargets = true
    }

    /// A package goes stale once its newest passed verification is older than maxAgeHours, and a new passed
    /// verification makes it fresh again; the list, the freshness route and the policy agree.
    @Test func packageTurnsStaleAfterMaxAgeAndFreshAfterANewPass() async throws {
        try await Verification.withFeed(configure: Self.fastOperations) { _, client in
            // 0.001 h = 3.6 s: long enough to see it fresh first, short enough for a test.
            #expect(try await client.setPolicy("Fresh", #"{"maxAgeHours": 0.001}"#).status == 200)
            let zip = try Verification.distinctSQLiteZip("fresh")
            defer { Verification.discard(zip) }
            try await client.push(zip, id: "Fresh", version: "1.0.0")
            #expect(try await client.waitForVerdict("Fresh", "1.0.0").status == "passed")

            let fresh = try await client.get("/api/packages/Fresh/freshness")
            #expect(fresh.status == 200)
            #expect(fresh.json["stale"] as? Bool == false, "\(fresh.body)")
            #expect(fresh.json["lastVerifiedAt"] is String)
            #expect((fresh.json["freshness"] as? [String: Any])?["maxAgeHours"] as? Double == 0.001)

            let stale = try await client.poll("/api/packages/Fresh/freshness") { $0.json["stale"] as? Bool == true }
            #expect(stale.json["stale"] as? Bool == true, "never went stale: \(stale.body)")
            let list = try await client.get("/api/packages?filter=fresh")
            let item = (list.json["items"] as? [[String: Any]])?.first
            #expect(item?["stale"] as? Bool == true, "\(list.body)")

            let again = try await client.request("POST", "/api/packages/Fresh/1.0.0/verifications", key: client.pushKey)
            #expect(again.status == 201, "\(again.body)")
            let refreshed = try await client.poll("/api/packages/Fresh/freshness") { $0.json["stale"] as? Bool == false }
            #expect(refreshed.json["stale"] as? Bool == false, "a new pass makes it fresh: \(refreshed.body)")
        }
    }

    /// A package without maxAgeHours is never stale and has no freshness object.
    @Test func withoutMaxAgeNothingIsStale() async throws {
        try await Verification.withFeed(configure: Self.fastOperations) { _, client in
            let zip = try Verification.distinctSQLiteZip("plain")
            defer { Verification.discard(zip) }
            try await client.push(zip, id: "Plain", version: "1.0.0")
            let reply = try await client.get("/api/packages/Plain/freshness")
            #expect(reply.json["stale"] as? Bool == false)
            #expect(reply.json["freshness"] == nil)
            #expect(try await client.get("/api/packages/Nope/freshness").status == 404)
        }
    }

    /// reverifyDays: the newest passed version is verified again on schedule, and while the new run waits,
    /// `latest?verified=true` still answers with it.
    @Test func newestPassedVersionIsVerifiedAgainOnSchedule() async throws {
        try await Verification.withFeed(configure: Self.fastOperations) { _, client in
            // 0.00003 days = 2.6 s.
            #expect(try await client.setPolicy("Again", #"{"reverifyDays": 0.00003}"#).status == 200)
            let zip = try Verification.distinctSQLiteZip("again")
            defer { Verification.discard(zip) }
            try await client.push(zip, id: "Again", version: "1.0.0")
            #expect(try await client.waitForVerdict("Again", "1.0.0").status == "passed")
            #expect(try await client.reports("Again", "1.0.0").count == 1)

            let deadline = ContinuousClock.now + .seconds(60)
            var runs = 1
            while runs < 2, ContinuousClock.now < deadline {
                let latest = try await client.get("/api/packages/Again/latest?verified=true")
                #expect(latest.status == 200, "the verified version stays available during its re-verification")
                try await Task.sleep(for: .milliseconds(100))
                runs = try await client.reports("Again", "1.0.0").filter { $0["status"] as? String == "passed" }.count
            }
            #expect(runs >= 2, "the version was verified again")
        }
    }

    /// `package.stale` reaches a real webhook receiver once when the package turns stale, not on every check,
    /// and again only after the package was fresh in between.
    @Test func staleEventFiresOncePerTransition() async throws {
        let listener = try await WebhookListener.start()
        do {
            try await Verification.withFeed(configure: Self.fastOperationsWithLocalWebhooks) { _, client in
                _ = try await client.createWebhook(url: listener.url + "/hook", events: ["package.stale"])
                #expect(try await client.setPolicy("Rotting", #"{"maxAgeHours": 0.0005}"#).status == 200)
                let zip = try Verification.distinctSQLiteZip("rotting")
                defer { Verification.discard(zip) }
                try await client.push(zip, id: "Rotting", version: "1.0.0")
                #expect(try await client.waitForVerdict("Rotting", "1.0.0").status == "passed")

                let first = try await listener.waitForRequests(1)
                #expect(first[0].event == "package.stale")
                #expect(first[0].json["package"] as? String == "Rotting")
                #expect(first[0].json["maxAgeHours"] as? Double == 0.0005, "\(first[0].body)")
                #expect(first[0].json["lastVerifiedAt"] is String, "\(first[0].body)")
                // Ten more checks while it stays stale: no second event.
                try await Task.sleep(for: .seconds(2))
                #expect(await listener.requests.count == 1)

                // Fresh again after a new pass, then stale again: a second event.
                #expect(try await client.request("POST", "/api/packages/Rotting/1.0.0/verifications", key: client.pushKey).status == 201)
                let second = try await listener.waitForRequests(2, timeout: .seconds(60))
                #expect(second.count == 2)
                #expect(second[1].event == "package.stale")
            }
        } catch {
            await listener.stop()
            throw error
        }
        await listener.stop()
    }
}

/// `expectEvery`: a package whose backups stop arriving is overdue in the API and the metrics, and `package.overdue`
/// fires once per transition; a new push makes it on time again.
@Suite struct OverdueTests {
    @Test func aPackageWithoutANewBackupWithinExpectEveryIsOverdueOnce() async throws {
        let listener = try await WebhookListener.start()
        do {
            try await Verification.withFeed(configure: FreshnessAndReverifyTests.fastOperationsWithLocalWebhooks) { _, client in
                _ = try await client.createWebhook(url: listener.url + "/hook", events: ["package.overdue"])
                #expect(try await client.setPolicy("Nightly", #"{"expectEvery": "3s"}"#).status == 200)
                let zip = try Verification.distinctSQLiteZip("nightly")
                defer { Verification.discard(zip) }
                try await client.push(zip, id: "Nightly", version: "1.0.0")

                let onTime = try await client.get("/api/packages/Nightly/freshness")
                #expect(onTime.json["overdue"] as? Bool == false, "\(onTime.body)")
                #expect((onTime.json["arrival"] as? [String: Any])?["expectEvery"] as? String == "3s")

                let late = try await client.poll("/api/packages/Nightly/freshness") { $0.json["overdue"] as? Bool == true }
                #expect(late.json["overdue"] as? Bool == true, "never overdue: \(late.body)")
                let list = try await client.get("/api/packages?filter=nightly")
                #expect((list.json["items"] as? [[String: Any]])?.first?["overdue"] as? Bool == true, "\(list.body)")
                let metrics = try await client.get("/metrics")
                #expect(metrics.body.contains(#"backupfeed_package_overdue{package="Nightly"} 1"#), "\(metrics.body)")

                let first = try await listener.waitForRequests(1, timeout: .seconds(20))
                #expect(first[0].event == "package.overdue")
                #expect(first[0].json["package"] as? String == "Nightly")
                #expect(first[0].json["expectEvery"] as? String == "3s")
                #expect((first[0].json["summary"] as? String)?.contains("no new backup") == true, "\(first[0].body)")
                // Later checks while it stays overdue: no second delivery for the same transition.
                try await Task.sleep(for: .seconds(1))
                #expect(await listener.requests.count == 1)

                let second = try Verification.distinctSQLiteZip("nightly-2")
                defer { Verification.discard(second) }
                try await client.push(second, id: "Nightly", version: "1.0.1")
                let back = try await client.poll("/api/packages/Nightly/freshness") { $0.json["overdue"] as? Bool == false }
                #expect(back.json["overdue"] as? Bool == false, "a new backup makes it on time: \(back.body)")
            }
        } catch {
            await listener.stop()
            throw error
        }
        await listener.stop()
    }

    @Test(arguments: ["26h", "90m", "7d", "30s", "2.5", " 1H "])
    func expectEveryDurationsParse(text: String) {
        #expect(ExpectEvery.seconds(text) != nil)
    }

    @Test(arguments: ["", "h", "-1h", "0", "soon", "1w", "nan"])
    func expectEveryNonsenseIsRefused(text: String) async throws {
        #expect(ExpectEvery.seconds(text) == nil)
        try await Verification.withFeed { _, client in
            let reply = try await client.setPolicy("Bad", #"{"expectEvery": "\#(text)"}"#)
            #expect(reply.status == 400 && reply.body.contains("expectEvery"), "\(reply.body)")
        }
    }
}
