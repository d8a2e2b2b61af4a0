@testable import FeedServer
import Foundation
import Logging
import NIOCore
import PackageFeed
import Testing

/// Webhooks may not aim the feed at loopback, link-local or private addresses unless `--allow-private-targets`:
/// refused by their literal host at registration, and by every resolved address at each delivery.
@Suite struct WebhookTargetTests {
    static let forbidden = [
        "http://127.0.0.1:9/hook", "http://127.8.9.10/", "http://localhost:8080/", "http://LOCALHOST./", "http://api.localhost/",
        "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/",
        "http://192.168.1.1/", "http://0.0.0.0/", "http://[::1]/", "http://[::]/", "http://[fe80::1]/", "http://[fc00::1]/",
        "http://[fd12:3456::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:7f00:1]/",
        "http://[64:ff9b::a9fe:a9fe]/", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.0.0.1./",
        "https://100.64.0.1/", "http://224.0.0.1/",
    ]

    @Test func privateTargetsAreRefusedAtRegistration() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed, allowPrivateTargets: false)) { client in
            for url in Self.forbidden {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["url": url, "events": ["version.pushed"]]), as: UTF8.self)
                let reply = try await client.request("POST", "/api/webhooks", key: client.adminKey, body: body)
                #expect(reply.status == 400, "\(url): \(reply.status) \(reply.body)")
                #expect(reply.body.contains("--allow-private-targets"), "\(url): \(reply.body)")
            }
            // Public addresses and names are fine (names are checked again at delivery).
            for url in ["https://hooks.example.com/backupfeed", "http://93.184.216.34/", "http://172.32.0.1/", "http://[2001:db8::1]/"] {
                _ = try await client.createWebhook(url: url, events: ["version.pushed"])
            }
        }
    }

    @Test func allowPrivateTargetsLetsThemThrough() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed, allowPrivateTargets: true)) { client in
            for url in ["http://127.0.0.1:9/hook", "http://localhost:9/", "http://169.254.169.254/", "http://[::1]:9/"] {
                _ = try await client.createWebhook(url: url, events: ["version.pushed"])
            }
        }
    }

    /// A name from /etc/hosts that is not `localhost` and points at a loopback or private address: what a public
    /// name can be made to resolve to after registration (DNS rebinding), without needing DNS.
    static func localName() throws -> String {
        let hosts = try String(contentsOfFile: "/etc/hosts", encoding: .utf8)
        for line in hosts.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 2, let bytes = TargetAddressPolicy.parseAddress(fields[0]),
                TargetAddressPolicy.forbiddenRange(bytes) != nil
            else { continue }
            if let name = fields.dropFirst().first(where: { !$0.lowercased().contains("localhost") && !$0.hasPrefix("ip6-") && $0.contains(where: \.isLetter) }) {
                return name
            }
        }
        throw TargetTestError.noLocalName
    }

    enum TargetTestError: Error { case noLocalName }

    @Test func deliveriesToNamesThatResolvePrivatelyAreRefusedAndNothingIsSent() async throws {
        let listener = try await WebhookListener.start()
        defer { Task { await listener.stop() } }
        let feed = try await TestFeed()
        defer { feed.remove() }
        let name = try Self.localName()
        // Registered past the literal check (as a public name would be, before its DNS changed), straight in the catalog.
        let catalog = try PackageFeed(dataDirectory: feed.dataDirectory, logger: Logger(label: "test")).catalog
        var ids: [Int64] = []
        for url in ["http://\(name):\(listener.port)/rebound", "http://localhost:\(listener.port)/named", "http://127.0.0.1:\(listener.port)/literal"] {
            ids.append(try #require(try await catalog.createWebhook(url: url, events: ["version.pushed"], secret: nil).id))
        }
        let webhookIds = ids
        let retry = WebhookRetry(baseDelay: 0.1, maxDelay: 0.2, maxAttempts: 2)
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed, retry: retry, allowPrivateTargets: false)) { client in
            try await client.pushBytes(randomBytes(1000), id: "Rebound", version: "1.0.0")
            for id in webhookIds {
                let deliveries = try await client.waitForDeliveries(webhookId: Int(id)) { log in
                    log.first?["status"] as? String == "failed"
                }
                let error = deliveries.first?["lastError"] as? String ?? "\(deliveries)"
                #expect(error.contains("refused target"), "\(error)")
            }
        }
        let received = await listener.recorder.requests
        #expect(received.isEmpty, "nothing reached the listener: \(received.map(\.path))")
    }

    @Test func theSameDeliveryGoesThroughWhenPrivateTargetsAreAllowed() async throws {
        let listener = try await WebhookListener.start()
        defer { Task { await listener.stop() } }
        let feed = try await TestFeed()
        defer { feed.remove() }
        let name = try Self.localName()
        let catalog = try PackageFeed(dataDirectory: feed.dataDirectory, logger: Logger(label: "test")).catalog
        _ = try await catalog.createWebhook(url: "http://\(name):\(listener.port)/rebound", events: ["version.pushed"], secret: nil)
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed, allowPrivateTargets: true)) { client in
            try await client.pushBytes(randomBytes(1000), id: "Rebound", version: "1.0.0")
            let requests = try await listener.waitForRequests(1)
            #expect(requests.first?.path == "/rebound")
        }
    }

    @Test func addressRangesAndPinning() async throws {
        let policy = TargetAddressPolicy(allowPrivateTargets: false)
        for host in ["8.8.8.8", "1.1.1.1", "[2606:4700::1111]", "172.15.0.1", "192.169.0.1", "hooks.example.com"] {
            #expect(policy.refusal(host: host) == nil, "\(host)")
        }
        for url in Self.forbidden {
            let host = try #require(URLComponents(string: url)?.host)
            #expect(policy.refusal(host: host) != nil, "\(host)")
        }
        // Literals resolve to themselves: a public one needs no pin, a shortened private one is refused.
        #expect(try await policy.pinnedDNSOverride(for: "http://93.184.216.34:8080/x") == [:])
        await #expect(throws: TargetRefused.self) { try await policy.pinnedDNSOverride(for: "http://127.1:9/") }
        await #expect(throws: TargetRefused.self) { try await policy.pinnedDNSOverride(for: "http://\(try Self.localName()):9/") }
        #expect(try await TargetAddressPolicy(allowPrivateTargets: true).pinnedDNSOverride(for: "http://127.0.0.1/") == [:])
    }
}
