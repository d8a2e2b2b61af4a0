/// How deliveries are retried: exponential backoff from `baseDelay` (1 s, 2 s, 4 s …) capped at `maxDelay`, at most
/// `maxAttempts` attempts, each given `attemptTimeout` to answer. The defaults are the documented ones; tests shorten them.
public struct WebhookRetry: Sendable, Equatable {
    public var baseDelay: Double
    public var maxDelay: Double
    public var maxAttempts: Int
    public var attemptTimeout: Double

    public init(baseDelay: Double = 1, maxDelay: Double = 600, maxAttempts: Int = 10, attemptTimeout: Double = 10) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
        self.attemptTimeout = attemptTimeout
    }

    /// Seconds to wait after the `attempt`-th failed attempt (1-based) before the next one.
    public func delay(afterAttempt attempt: Int) -> Double {
        // 2^(n-1) stops growing long before it could overflow: the cap is reached after a few doublings.
        let exponent = Double(min(max(attempt - 1, 0), 30))
        return min(baseDelay * Double(1 << Int(exponent)), maxDelay)
    }
}
