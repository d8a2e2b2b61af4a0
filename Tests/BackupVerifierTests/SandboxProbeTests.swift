import Testing

@testable import BackupVerifier

/// The sandbox probe runs once per account and its answer is kept for the server's life; an answer it could not
/// really give (its task was cancelled, as a cancelled verification's is) must not be kept, or every later run is
/// refused with "bubblewrap did not run: CancellationError()" until a restart.
struct SandboxProbeTests {
    @Test func aCancelledProbeIsNotRemembered() async throws {
        let user = try SandboxUser.resolve()
        ProcessIsolation.forgetProbes()
        let cancelled = Task {
            try? await Task.sleep(for: .milliseconds(100))  // ends at once: the task is cancelled below
            return await ProcessIsolation.detect(user: user)
        }
        cancelled.cancel()
        _ = await cancelled.value
        let afterwards = await ProcessIsolation.detect(user: user)
        #expect(afterwards.isConfined, "\(afterwards)")
    }
}
