import Foundation

/// `push --wait`: polls a version's verification runs until the newest one has a verdict, then prints it.
struct VerdictWait {
    let connection: FeedConnection
    let packageId: String
    let version: String
    let timeout: Duration

    static let pollInterval = Duration.seconds(1)

    /// The newest run once it is passed, failed or error; a `ClientError` when the deadline passes first.
    func finishedRun() async throws -> FeedVerificationRun {
        // A package whose policy turns verification off gets no run (the queued one is dropped): nothing to wait for.
        let policy = try await connection.json(FeedPolicy.self, from: connection.endpoint.url(["api", "packages", packageId, "policy"]))
        if policy.enabled == false {
            throw ClientError("verification is turned off for \(packageId) (its policy has \"enabled\": false); there is no verdict to wait for")
        }
        let url = connection.endpoint.url(["api", "packages", packageId, version, "verifications"])
        let deadline = ContinuousClock.now + timeout
        var lastStatus: String?
        while true {
            // Newest first: a push that stored bytes queued its run in the same transaction, so it is already here.
            let runs = try await connection.json([FeedVerificationRun].self, from: url)
            if let newest = runs.first {
                if newest.isFinished { return newest }
                if newest.status != lastStatus {
                    StandardError.write("verification \(newest.status)…\n")
                    lastStatus = newest.status
                }
            }
            guard ContinuousClock.now + Self.pollInterval < deadline else {
                let state = lastStatus.map { "still \($0)" } ?? "no verification run"
                throw ClientError("no verdict for \(packageId) \(version) within \(timeout.components.seconds) s (\(state)); "
                    + "the run goes on on the server, see \(url)")
            }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    /// The verdict, the summary and the checks that decided it, on stdout.
    static func describe(_ run: FeedVerificationRun, url: String) -> String {
        var lines = ["verification \(run.status): \(run.summary ?? "no summary")"]
        for check in run.checks where ["failed", "error"].contains(check.status) {
            lines.append("  \(check.status) \(check.name): \(check.detail)")
        }
        lines.append("report: \(url)")
        return lines.joined(separator: "\n")
    }
}
