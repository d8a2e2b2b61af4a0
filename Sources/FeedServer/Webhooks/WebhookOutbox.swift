import Foundation
import Logging
import PackageFeed

/// The `FeedEvents` listener of webhooks: turns an event into its payload and writes one pending delivery per
/// subscribed webhook to the outbox in the catalog, then wakes the delivery service. It never sends anything
/// itself, so a push's response does not wait for a receiver.
struct WebhookOutbox: Sendable {
    let catalog: Catalog
    let signal: WebhookSignal
    /// The server's public URL, for `reportUrl`.
    let linkBase: String
    let logger: Logger

    func record(_ event: FeedEvent) async {
        let payload = WebhookPayload(event, linkBase: linkBase)
        do {
            let queued = try await catalog.enqueueDeliveries(event: payload.event.rawValue, at: payload.occurredAt) { deliveryId in
                try payload.json(deliveryId: deliveryId)
            }
            if !queued.isEmpty { await signal.notify() }
        } catch {
            // The event already happened (the push is stored); losing its notification is logged, not thrown at the client.
            logger.error(
                "could not queue webhook deliveries",
                metadata: ["event": "\(payload.event.rawValue)", "package": "\(payload.package)", "error": "\(error)"])
        }
    }
}
