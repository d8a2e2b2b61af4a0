import FeedServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Feeds for the webhook tests: a `TestFeed` app with its own retry timings and public URL, run over a real socket,
/// plus the webhook calls of the API.
enum WebhookFeed {
    static let publicURL = "https://feed.example.com/"

    /// `allowPrivateTargets` is on by default: the listeners these tests deliver to are on 127.0.0.1.
    static func configuration(
        _ feed: TestFeed, retry: WebhookRetry = WebhookRetry(), verifications: Bool = false, allowPrivateTargets: Bool = true
    ) -> FeedServerConfiguration {
        var configuration = feed.configuration
        configuration.allowPrivateTargets = allowPrivateTargets
        configuration.publicURL = publicURL
        configuration.webhookRetry = retry
        if verifications {
            configuration.runVerifications = true
            configuration.sandboxDirectory = Verification.sharedSandbox
        }
        return configuration
    }

    /// Builds the app (on the feed's data directory, so a second run is a restart) and runs `body` against it;
    /// the app shuts down gracefully when `body` returns.
    static func run(
        _ feed: TestFeed, _ configuration: FeedServerConfiguration, _ body: @escaping @Sendable (FeedClient) async throws -> Void
    ) async throws {
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            try await body(FeedClient(transport: .testClient(client), pushKey: feed.pushKey, readKey: feed.readKey))
        }
    }
}

extension FeedClient {
    /// `POST /api/webhooks` as admin; returns the new webhook's id.
    func createWebhook(url: String, events: [String], secret: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
        var body: [String: Any] = ["url": url, "events": events]
        if let secret { body["secret"] = secret }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let reply = try await request("POST", "/api/webhooks", key: adminKey, body: text)
        #expect(reply.status == 201, "\(reply.body)", sourceLocation: sourceLocation)
        return try #require(reply.json["id"] as? Int, sourceLocation: sourceLocation)
    }

    /// The webhook's delivery log, newest first.
    func deliveries(webhookId: Int) async throws -> [[String: Any]] {
        let reply = try await request("GET", "/api/webhooks/\(webhookId)/deliveries?take=100", key: adminKey)
        guard reply.status == 200 else { throw FeedClientError.status(reply.status, reply.body) }
        return reply.json["items"] as? [[String: Any]] ?? []
    }

    /// Polls the delivery log until `done` holds for it; returns it.
    func waitForDeliveries(
        webhookId: Int, timeout: Duration = .seconds(90), until done: ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        var last: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            last = try await deliveries(webhookId: webhookId)
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FeedClientError.noVerdict("webhook \(webhookId) deliveries never reached the expected state: \(last)")
    }

    /// Pushes `bytes` as `<id>.<version>.zip`; returns them.
    @discardableResult
    func pushBytes(_ bytes: [UInt8], id: String, version: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [UInt8] {
        let file = try temporaryFile(named: "\(id).\(version).zip", bytes: bytes)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try await push(file, id: id, version: version, sourceLocation: sourceLocation)
        return bytes
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A JSON field that is present and null.
    func isNull(_ key: String) -> Bool { self[key] is NSNull }
}
