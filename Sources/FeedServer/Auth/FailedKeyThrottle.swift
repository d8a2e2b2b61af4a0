import Foundation
import NIOCore
import Synchronization

/// Counts wrong API keys per client address and makes an address that sends too many wait.
///
/// Each address has a bucket of `burst` failures that refills by one every `refill`. While the bucket is empty,
/// every request from that address that presents a key is answered 429 with `Retry-After`, before the key is even
/// looked up: a key that were still checked while throttled would leave guessing exactly as fast as before.
/// So a correct key sent from the same address as somebody's wrong ones (the same NAT, the same reverse proxy)
/// waits too, but never longer than one refill interval after the wrong keys stop; from any other address it is
/// never affected. A success does not refill the bucket: a holder of a push key could otherwise reset it between
/// guesses at the admin key.
///
/// Clients are told apart by `ClientAddress` (the peer, or behind a trusted proxy its `X-Forwarded-For`).
/// IPv6 clients are counted per /64, the block one host usually holds. The table is capped (`maxAddresses`): when
/// full, buckets that have refilled completely are dropped first (they hold no information), then the longest idle.
final class FailedKeyThrottle: Sendable {
    typealias Policy = FailedKeyThrottlePolicy

    private struct Bucket {
        /// Failures still allowed, as of `updated`.
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let policy: Policy
    private let buckets = Mutex<[String: Bucket]>([:])

    init(policy: Policy) {
        self.policy = policy
    }

    var isEnabled: Bool { policy.burst > 0 }

    /// Addresses being tracked (for tests of the cap).
    var trackedAddresses: Int { buckets.withLock { $0.count } }

    /// Nil when the address may present a key now; otherwise the seconds to wait.
    func retryAfter(for client: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard isEnabled else { return nil }
        return buckets.withLock { buckets in
            guard var bucket = buckets[client] else { return nil }
            refill(&bucket, now: now)
            buckets[client] = bucket
            guard bucket.tokens < 1 else { return nil }
            let wait = (1 - bucket.tokens) * seconds(policy.refill)
            // Less a nanosecond: 0.6 × 10 is 6.000000000000001 in floating point, and means 6.
            return max(1, Int((wait - 1e-9).rounded(.up)))
        }
    }

    /// Counts one wrong key from the address.
    func recordFailure(from client: String, now: ContinuousClock.Instant = .now) {
        guard isEnabled else { return }
        buckets.withLock { buckets in
            if buckets[client] == nil, buckets.count >= policy.maxAddresses { evict(&buckets, now: now) }
            var bucket = buckets[client] ?? Bucket(tokens: Double(policy.burst), updated: now)
            refill(&bucket, now: now)
            bucket.tokens = max(0, bucket.tokens - 1)
            buckets[client] = bucket
        }
    }

    private func refill(_ bucket: inout Bucket, now: ContinuousClock.Instant) {
        let elapsed = seconds(now - bucket.updated)
        bucket.tokens = min(Double(policy.burst), bucket.tokens + max(0, elapsed) / seconds(policy.refill))
        bucket.updated = now
    }

    private func evict(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        let full = Double(policy.burst)
        let refill = seconds(policy.refill)
        buckets = buckets.filter { $0.value.tokens + seconds(now - $0.value.updated) / refill < full }
        // Still full: the longest idle goes; an attacker spraying addresses frees the most of its own entries.
        while buckets.count >= policy.maxAddresses, let oldest = buckets.min(by: { $0.value.updated < $1.value.updated }) {
            buckets.removeValue(forKey: oldest.key)
        }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// How many wrong keys an address may send (`--failed-key-burst`, `--failed-key-refill`); see `FailedKeyThrottle`.
public struct FailedKeyThrottlePolicy: Sendable, Equatable {
    /// Wrong keys an address may send in a row; 0 turns throttling off.
    public var burst: Int
    /// One more wrong key allowed per interval once the burst is spent.
    public var refill: Duration
    /// Addresses remembered at most, so that a spray from many addresses cannot grow memory without bound.
    public var maxAddresses: Int
    /// Peers whose `X-Forwarded-For` names the client (`--trusted-proxies`); loopback by default.
    public var trustedProxies: [AddressRange]

    public init(
        burst: Int = 10, refill: Duration = .seconds(6), maxAddresses: Int = 10_000, trustedProxies: [AddressRange] = AddressRange.loopback
    ) {
        self.burst = burst
        self.refill = refill
        self.maxAddresses = maxAddresses
        self.trustedProxies = trustedProxies
    }
}
