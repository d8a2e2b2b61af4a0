/// Wakes the delivery loop when something is enqueued or an attempt ends, so that a delivery goes out at once
/// instead of at the next poll. There is a single waiter (the loop); a notification that comes while nobody waits is
/// kept for the next wait, so none is lost between the loop's catalog read and its wait.
actor WebhookSignal {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?

    func notify() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Returns when notified (at once if notified since the last wait), after `timeout`, or when the task is cancelled.
    func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.notify()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { waiter = $0 }
        } onCancel: {
            Task { await self.notify() }
        }
        timer.cancel()
        pending = false
    }
}
