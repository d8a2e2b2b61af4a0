import PackageFeed
import Synchronization

/// Follows one push through its handler for the metrics: the bytes its body delivered to the upload and the
/// outcome it was published with. Bound to the handler's task by `UploadReceiver.metered`, so that the body
/// reader and `published` report to it without every route passing it along.
final class PushMeter: Sendable {
    @TaskLocal static var current: PushMeter?

    private struct State {
        var bytes: Int64 = 0
        var outcome: FeedMetrics.PushResult?
    }

    private let state = Mutex(State())

    var bytes: Int64 { state.withLock { $0.bytes } }
    /// Nil until the push was stored (or found unchanged, or ignored).
    var outcome: FeedMetrics.PushResult? { state.withLock { $0.outcome } }

    func received(_ count: Int) {
        state.withLock { $0.bytes += Int64(count) }
    }

    func published(_ outcome: PublishOutcome) {
        state.withLock { $0.outcome = FeedMetrics.PushResult(outcome) }
    }
}
