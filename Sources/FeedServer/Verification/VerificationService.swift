import BackupVerifier
import Foundation
import Logging
import PackageFeed
import ServiceLifecycle

/// Runs queued verification jobs with bounded concurrency. On start it puts back in the queue the jobs
/// that were running when the process stopped; on graceful shutdown a job in progress is stopped and
/// queued again, so that no run is lost and none is recorded as a verdict it did not reach.
public struct VerificationService: Service {
    let feed: PackageFeed
    let verifier: BackupVerifier
    let janitor: SandboxJanitor
    let concurrency: Int
    let signal: VerificationSignal
    /// Told about every verdict (webhooks, metrics).
    let events: FeedEvents
    let logger: Logger

    public func run() async throws {
        _ = await janitor.sweep()
        let keyLeftovers = await DecryptionLeftovers.sweep()
        if keyLeftovers > 0 { logger.notice("removed decryption key directories left by a stopped server", metadata: ["count": "\(keyLeftovers)"]) }
        let requeued = try await feed.catalog.requeueRunningJobs()
        if requeued > 0 { logger.notice("requeued verifications interrupted by the last stop", metadata: ["count": "\(requeued)"]) }
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<max(1, concurrency) {
                group.addTask { await workLoop(worker: worker) }
            }
        }
    }

    private func workLoop(worker: Int) async {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                if let job = try await feed.catalog.claimNextJob() {
                    try await cancelWhenGracefulShutdown { try await run(job) }
                } else {
                    await signal.wait(timeout: .seconds(2))
                }
            } catch is CancellationError {
                break
            } catch {
                logger.error("verification worker error", metadata: ["worker": "\(worker)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// One job: look up the version, its policy and the last passed report, verify, record.
    private func run(_ job: VerificationJobRecord) async throws {
        guard let jobId = job.id else { return }
        guard let version = try await feed.catalog.version(id: job.versionId) else { return }
        let policy = try await PolicyStore(catalog: feed.catalog).policy(for: version.packageKey)
        guard policy.enabled else {
            // The package's policy turned verification off: the version stays unverified, with no verdict.
            try await feed.catalog.deleteJob(id: jobId)
            return
        }
        let previous = try await previousRun(for: version)
        var jobLogger = logger
        jobLogger[metadataKey: "package"] = "\(version.packageKey)"
        jobLogger[metadataKey: "version"] = "\(version.version)"
        jobLogger[metadataKey: "verification"] = "\(jobId)"
        jobLogger.info("verification started")
        let startedAt = Date()

        let report: VerificationReport
        if let file = try? feed.file(of: version) {
            // Read afresh for every run: keys added or removed (API or command line) count from the next run on.
            let keyring = feed.decryptionKeys?.keyring(logger: jobLogger) ?? .empty
            report = await verifier.verify(file: file, expectedSHA256: version.sha256, policy: policy, previous: previous, keyring: keyring)
        } else {
            report = VerificationReport(verdict: .error, summary: "the stored file is missing")
        }
        if Task.isCancelled {
            // Stopped by shutdown, not judged: run it again after the restart.
            try await feed.catalog.requeueJob(id: jobId)
            jobLogger.notice("verification interrupted by shutdown; queued again")
            return
        }
        let json = String(decoding: try JSONResponse.encoder.encode(report), as: UTF8.self)
        try await feed.catalog.finishJob(id: jobId, status: report.verdict.rawValue, summary: report.summary, report: json)
        let display = try await feed.catalog.package(key: version.packageKey)?.display ?? version.packageKey
        await events.publish(.verificationFinished(.init(
            packageId: display, version: version.version, verificationId: jobId, report: report, finishedAt: Date(),
            filename: version.filename, sha256: version.sha256, startedAt: startedAt, comparedWith: previous?.version)))
        jobLogger.info(
            "verification finished",
            metadata: ["verdict": "\(report.verdict.rawValue)", "seconds": "\(report.totalSeconds)", "summary": "\(report.summary)"]
        )
    }

    private func previousRun(for version: VersionRecord) async throws -> PreviousRun? {
        guard let (job, previousVersion) = try await feed.catalog.lastPassedJob(packageKey: version.packageKey, excludingVersionId: version.id!),
            let json = job.report,
            let report = try? JSONDecoder.reports.decode(VerificationReport.self, from: Data(json.utf8))
        else { return nil }
        return PreviousRun(version: previousVersion.version, report: report)
    }
}

extension JSONDecoder {
    /// Decodes what `JSONResponse.encoder` wrote (ISO 8601 dates).
    static var reports: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
