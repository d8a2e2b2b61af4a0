/// Fans a `FeedEvent` out to every listener registered while the application is built.
/// Listeners run in registration order and must be quick (a webhook listener writes to its outbox and
/// returns; delivery happens in its own service), so that a push's response is not held up.
public final class FeedEvents: Sendable {
    public typealias Listener = @Sendable (FeedEvent) async -> Void
    private let listeners: [Listener]

    public init(_ listeners: [Listener]) {
        self.listeners = listeners
    }

    public func publish(_ event: FeedEvent) async {
        for listener in listeners { await listener(event) }
    }
}
