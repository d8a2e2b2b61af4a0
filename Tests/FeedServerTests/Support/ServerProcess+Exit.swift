import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ServerProcess {
    /// Sends a signal and returns at once (`kill(signal:)` blocks its thread until the process ends).
    func send(_ signal: Int32) {
        _ = Glibc.kill(process.processIdentifier, signal)
    }

    /// The exit status once the process has ended (minus the signal's number when a signal ended it), or nil if
    /// it still runs after `timeout`. Polls instead of `waitUntilExit`, which would block a thread of the cooperative pool.
    func exitStatus(within timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
    }
}
