/// Wakes the verification workers when a job is queued, so that a push is picked up at once
/// instead of at the next poll.
actor VerificationSignal {
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var pending = false

    /// Called after a push or a "verify again": wakes every waiting worker.
    func notify() {
        pending = true
        let current = waiters
        waiters.removeAll()
        current.forEach { $0.resume() }
    }

    /// Returns when notified (at once if a notification came since the last wait) or after `timeout`.
    func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.suspend() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            self.notifyWaitersOnTimeout()
        }
        pending = false
    }

    private func suspend() async {
        await withCheckedContinuation { waiters.append($0) }
    }

    /// A timed-out wait leaves its continuation behind: resume them so that no task stays suspended.
    private func notifyWaitersOnTimeout() {
        let current = waiters
        waiters.removeAll()
        current.forEach { $0.resume() }
    }
}
