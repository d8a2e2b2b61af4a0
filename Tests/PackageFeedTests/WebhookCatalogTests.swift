import Foundation
import Testing
@testable import PackageFeed

/// The webhook outbox in a real catalog file: fan-out to subscribers, per-webhook order, retries, give-up, cascade.
@Suite struct WebhookCatalogTests {
    static func catalog() throws -> (Catalog, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-catalog-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (try Catalog(path: directory.appendingPathComponent("catalog.sqlite")), directory)
    }

    @Test func enqueueReachesOnlySubscribersAndCarriesTheDeliveryId() async throws {
        let (catalog, directory) = try Self.catalog()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pushes = try await catalog.createWebhook(url: "http://a.example/hook", events: ["version.pushed"], secret: "s3cret")
        let verdicts = try await catalog.createWebhook(url: "http://b.example/hook", events: ["verification.failed"], secret: nil)
        #expect(try await catalog.webhook(id: pushes.id!)?.events == ["version.pushed"])
        #expect(try await catalog.webhook(id: pushes.id!)?.secret == "s3cret")
        #expect(try await catalog.webhooks().map(\.id) == [pushes.id, verdicts.id])

        let queued = try await catalog.enqueueDeliveries(event: "version.pushed") { #"{"deliveryId":\#($0)}"# }
        #expect(queued.count == 1)
        let delivery = try #require(queued.first)
        #expect(delivery.webhookId == pushes.id)
        #expect(delivery.status == .pending && delivery.attempts == 0)
        #expect(try await catalog.delivery(id: delivery.id!)?.payload == #"{"deliveryId":\#(delivery.id!)}"#)
        #expect(try await catalog.enqueueDeliveries(event: "package.stale") { _ in "{}" }.isEmpty)
    }

    @Test func onlyTheOldestPendingDeliveryOfEachWebhookIsNext() async throws {
        let (catalog, directory) = try Self.catalog()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await catalog.createWebhook(url: "http://a.example/", events: ["version.pushed"], secret: nil)
        let second = try await catalog.createWebhook(url: "http://b.example/", events: ["version.pushed"], secret: nil)
        var ids: [[Int64]] = []
        for _ in 0..<3 { ids.append(try await catalog.enqueueDeliveries(event: "version.pushed") { _ in "{}" }.map { $0.id! }) }
        // ids[n] = [delivery of first, delivery of second] for event n.
        #expect(try await catalog.nextPendingDeliveries().map(\.id!) == ids[0])

        // A retry keeps the head: the webhook's next delivery must wait.
        let retryAt = Date().addingTimeInterval(60)
        try await catalog.markAttemptFailed(id: ids[0][0], statusCode: 500, error: "HTTP 500", retryAt: retryAt)
        let heads = try await catalog.nextPendingDeliveries()
        #expect(heads.map(\.id!) == ids[0])
        let retried = try #require(heads.first { $0.webhookId == first.id })
        #expect(retried.attempts == 1 && retried.lastStatusCode == 500 && retried.lastError == "HTTP 500")
        #expect(abs(try #require(retried.nextAttemptAt).timeIntervalSince(retryAt)) < 0.01)

        try await catalog.markDelivered(id: ids[0][1], statusCode: 204)
        #expect(try await catalog.nextPendingDeliveries().map(\.id!) == [ids[0][0], ids[1][1]])
        let delivered = try #require(try await catalog.delivery(id: ids[0][1]))
        #expect(delivered.status == .delivered && delivered.deliveredAt != nil && delivered.nextAttemptAt == nil)

        // Giving up lets the next one go.
        try await catalog.markAttemptFailed(id: ids[0][0], statusCode: nil, error: "connection refused", retryAt: nil)
        let failed = try #require(try await catalog.delivery(id: ids[0][0]))
        #expect(failed.status == .failed && failed.attempts == 2 && failed.lastStatusCode == nil && failed.nextAttemptAt == nil)
        #expect(try await catalog.nextPendingDeliveries().map(\.id!) == [ids[1][0], ids[1][1]])
        // A finished delivery is not touched again.
        try await catalog.markDelivered(id: ids[0][0], statusCode: 200)
        #expect(try await catalog.delivery(id: ids[0][0])?.status == .failed)
        _ = second
    }

    @Test func logIsNewestFirstAndDeleteRemovesTheDeliveries() async throws {
        let (catalog, directory) = try Self.catalog()
        defer { try? FileManager.default.removeItem(at: directory) }
        let webhook = try await catalog.createWebhook(url: "http://a.example/", events: ["version.pushed"], secret: nil)
        let other = try await catalog.createWebhook(url: "http://b.example/", events: ["version.pushed"], secret: nil)
        for _ in 0..<5 { try await catalog.enqueueDeliveries(event: "version.pushed") { _ in "{}" } }
        let (page, total) = try await catalog.deliveries(webhookId: webhook.id!, skip: 1, take: 2)
        #expect(total == 5)
        let all = try await catalog.deliveries(webhookId: webhook.id!, skip: 0, take: 100).0.map(\.id!)
        #expect(all == all.sorted(by: >))
        #expect(page.map(\.id!) == Array(all[1...2]))

        #expect(try await catalog.deleteWebhook(id: webhook.id!))
        #expect(try await catalog.deleteWebhook(id: webhook.id!) == false)
        #expect(try await catalog.webhook(id: webhook.id!) == nil)
        #expect(try await catalog.deliveries(webhookId: webhook.id!, skip: 0, take: 100).total == 0)
        for id in all { #expect(try await catalog.delivery(id: id) == nil) }
        #expect(try await catalog.deliveries(webhookId: other.id!, skip: 0, take: 100).total == 5, "other webhooks keep theirs")
    }
}
