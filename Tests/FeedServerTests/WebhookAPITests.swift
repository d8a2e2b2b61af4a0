import FeedServer
import Foundation
import Testing

/// `/api/webhooks` over a real socket: create, list, show, delete, the delivery log's paging; validation that names
/// the field; admin only; the secret is never shown.
@Suite struct WebhookAPITests {
    @Test func createListShowAndDelete() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed)) { client in
            let created = try await client.request(
                "POST", "/api/webhooks", key: client.adminKey,
                body: #"{"url": "https://hooks.example.com/backupfeed", "events": ["version.pushed", "verification.failed"], "secret": "s3cret"}"#)
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(created.json["id"] as? Int)
            #expect(created.json["url"] as? String == "https://hooks.example.com/backupfeed")
            #expect(created.json["events"] as? [String] == ["version.pushed", "verification.failed"])
            #expect(created.json["hasSecret"] as? Bool == true)
            #expect(created.json["secret"] == nil && !created.body.contains("s3cret"), "the secret is never returned: \(created.body)")
            let createdAt = try #require(created.json["createdAt"] as? String)
            #expect(ISO8601DateFormatter().date(from: createdAt) != nil, "\(createdAt)")

            let unsigned = try await client.createWebhook(url: "http://127.0.0.1:9/hook", events: ["package.stale"])
            let shown = try await client.request("GET", "/api/webhooks/\(unsigned)", key: client.adminKey)
            #expect(shown.status == 200)
            #expect(shown.json["hasSecret"] as? Bool == false)
            #expect(shown.json["events"] as? [String] == ["package.stale"])

            let list = try await client.request("GET", "/api/webhooks", key: client.adminKey)
            #expect(list.status == 200)
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["id"] as? Int } == [id, unsigned])
            #expect(!list.body.contains("s3cret"))

            let log = try await client.request("GET", "/api/webhooks/\(id)/deliveries", key: client.adminKey)
            #expect(log.status == 200, "\(log.body)")
            #expect(log.json["total"] as? Int == 0)
            #expect((log.json["items"] as? [Any])?.isEmpty == true)

            #expect(try await client.request("DELETE", "/api/webhooks/\(id)", key: client.adminKey).status == 204)
            for (method, path) in [("GET", "/api/webhooks/\(id)"), ("DELETE", "/api/webhooks/\(id)"), ("GET", "/api/webhooks/\(id)/deliveries"),
                                   ("GET", "/api/webhooks/999999"), ("GET", "/api/webhooks/nope")] {
                let reply = try await client.request(method, path, key: client.adminKey)
                #expect(reply.status == 404, "\(method) \(path): \(reply.status) \(reply.body)")
                #expect((reply.json["error"] as? String)?.contains("not found") == true, "\(reply.body)")
            }
            let remaining = try await client.request("GET", "/api/webhooks", key: client.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(remaining.compactMap { $0["id"] as? Int } == [unsigned])
        }
    }

    @Test func badBodiesAreRefusedNamingTheField() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed)) { client in
            let cases: [(body: String, field: String)] = [
                (#"{"url": "ftp://example.com/x", "events": ["version.pushed"]}"#, "url"),
                (#"{"url": "example.com/hook", "events": ["version.pushed"]}"#, "url"),
                (#"{"url": "http://", "events": ["version.pushed"]}"#, "url"),
                (#"{"url": 42, "events": ["version.pushed"]}"#, "url"),
                (#"{"events": ["version.pushed"]}"#, "url"),
                (#"{"url": "https://example.com/hook", "events": []}"#, "events"),
                (#"{"url": "https://example.com/hook"}"#, "events"),
                (#"{"url": "https://example.com/hook", "events": "version.pushed"}"#, "events"),
                (#"{"url": "https://example.com/hook", "events": ["version.pushed", "version.deleted"]}"#, "events[1]"),
                (#"{"url": "https://example.com/hook", "events": ["version.pushed"], "secrets": "x"}"#, "secrets"),
                (#"{"url": "https://example.com/hook", "events": ["version.pushed"], "secret": ""}"#, "secret"),
                (#"{"url": "https://example.com/hook", "events": ["version.pushed"], "secret": 7}"#, "secret"),
                (#"["https://example.com/hook"]"#, "JSON object"),
                (#"{"url": "https://example.com/hook", "#, "JSON"),
            ]
            for (body, field) in cases {
                let reply = try await client.request("POST", "/api/webhooks", key: client.adminKey, body: body)
                #expect(reply.status == 400, "\(body): \(reply.status) \(reply.body)")
                let message = reply.json["error"] as? String ?? ""
                #expect(message.contains(field), "\(body): the message names \(field): \(message)")
            }
            let unknownEvent = try await client.request(
                "POST", "/api/webhooks", key: client.adminKey, body: #"{"url": "https://example.com/h", "events": ["version.deleted"]}"#)
            #expect((unknownEvent.json["error"] as? String)?.contains("version.pushed, verification.passed") == true, "lists the known events")
            let none = try await client.request("GET", "/api/webhooks", key: client.adminKey)
            #expect((none.json["items"] as? [Any])?.isEmpty == true, "nothing was created: \(none.body)")
        }
    }

    @Test func onlyAdminsManageWebhooks() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed)) { client in
            let id = try await client.createWebhook(url: "https://example.com/hook", events: ["version.pushed"], secret: "s")
            let body = #"{"url": "https://example.com/other", "events": ["version.pushed"]}"#
            let calls: [(String, String, String?)] = [
                ("POST", "/api/webhooks", body), ("GET", "/api/webhooks", nil), ("GET", "/api/webhooks/\(id)", nil),
                ("DELETE", "/api/webhooks/\(id)", nil), ("GET", "/api/webhooks/\(id)/deliveries", nil),
            ]
            for (method, path, body) in calls {
                let anonymous = try await client.request(method, path, key: nil, body: body)
                #expect(anonymous.status == 401, "\(method) \(path) without a key: \(anonymous.status)")
                let reader = try await client.request(method, path, key: feed.readKey, body: body)
                #expect(reader.status == 403, "\(method) \(path) with a read key: \(reader.status)")
                let pusher = try await client.request(method, path, key: feed.pushKey, body: body)
                #expect(pusher.status == 403, "\(method) \(path) with a push key: \(pusher.status)")
                #expect((pusher.json["error"] as? String)?.contains("admin") == true, "\(pusher.body)")
            }
            let list = try await client.request("GET", "/api/webhooks", key: client.adminKey).json["items"] as? [[String: Any]] ?? []
            #expect(list.compactMap { $0["id"] as? Int } == [id], "nothing was created or deleted without admin scope")
        }
    }

    @Test func deliveryLogPages() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        // Nothing listens on the webhook's port, so the deliveries stay pending and the log is stable.
        let closedPort = ServerProcess.freePort()
        let retry = WebhookRetry(baseDelay: 600)
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed, retry: retry)) { client in
            let id = try await client.createWebhook(url: "http://127.0.0.1:\(closedPort)/hook", events: ["version.pushed"])
            for patch in 0..<5 { try await client.pushBytes(randomBytes(64), id: "Paged", version: "1.0.\(patch)") }
            let all = try await client.waitForDeliveries(webhookId: id) { $0.count == 5 }
            let versions = all.compactMap { ($0["payload"] as? [String: Any])?["version"] as? String }
            #expect(versions == ["1.0.4", "1.0.3", "1.0.2", "1.0.1", "1.0.0"], "newest first")
            let page = try await client.request("GET", "/api/webhooks/\(id)/deliveries?skip=1&take=2", key: client.adminKey)
            #expect(page.json["total"] as? Int == 5)
            let pageVersions = (page.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["payload"] as? [String: Any])?["version"] as? String }
            #expect(pageVersions == ["1.0.3", "1.0.2"])
            for query in ["take=0", "take=abc", "skip=-1"] {
                let bad = try await client.request("GET", "/api/webhooks/\(id)/deliveries?\(query)", key: client.adminKey)
                #expect(bad.status == 400, "\(query): \(bad.status)")
            }
        }
    }
}
