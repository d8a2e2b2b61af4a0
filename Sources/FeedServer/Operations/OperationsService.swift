import Foundation
import Logging
import PackageFeed
import ServiceLifecycle

/// The feed's clock: every `checkInterval` it marks packages stale (announcing `package.stale` once per
/// transition) and queues re-verifications that are due; every `retentionInterval` it applies retention.
struct OperationsService: Service {
    let feed: PackageFeed
    let events: FeedEvents
    let signal: VerificationSignal
    let checkInterval: Duration
    let retentionInterval: Duration
    let logger: Logger

    func run() async throws {
        var nextRetention = ContinuousClock.now + checkInterval
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await runStep("freshness") { try await checkFreshness() }
            await runStep("arrivals") { try await checkArrivals() }
            await runStep("re-verification") { try await queueDueReverifications() }
            if ContinuousClock.now >= nextRetention {
                await runStep("retention") { _ = try await RetentionRunner(feed: feed, logger: logger).apply(dryRun: false) }
                nextRetention = ContinuousClock.now + retentionInterval
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: checkInterval) }
        }
    }

    /// One failing step (a locked catalog, a full disk) is logged and tried again next time; it never stops the loop.
    private func runStep(_ name: String, _ step: () async throws -> Void) async {
        do {
            try await step()
        } catch {
            logger.error("operations step failed", metadata: ["step": "\(name)", "error": "\(error)"])
        }
    }

    func checkFreshness(now: Date = Date()) async throws {
        for (package, freshness) in try await FreshnessReader(catalog: feed.catalog).all(now: now) {
            guard try await feed.catalog.recordFreshness(packageKey: package.key, stale: freshness.stale, at: now) else { continue }
            logger.warning(
                "package is stale: no verified backup within its maxAgeHours",
                metadata: ["package": "\(package.display)", "maxAgeHours": "\(freshness.maxAgeHours)",
                           "lastVerifiedAt": "\(freshness.lastVerifiedAt.map { "\($0)" } ?? "never")"])
            await events.publish(.packageStale(.init(
                packageId: package.display, lastVerifiedAt: freshness.lastVerifiedAt, maxAgeHours: freshness.maxAgeHours)))
        }
    }

    /// Marks packages overdue when no version arrived within `expectEvery`, announcing `package.overdue` once per transition.
    func checkArrivals(now: Date = Date()) async throws {
        for (package, arrival) in try await ArrivalReader(catalog: feed.catalog).all(now: now) {
            guard try await feed.catalog.recordArrival(packageKey: package.key, overdue: arrival.overdue, at: now) else { continue }
            logger.warning(
                "package is overdue: no new backup arrived within its expectEvery",
                metadata: ["package": "\(package.display)", "expectEvery": "\(arrival.expectEvery)",
                           "lastArrivalAt": "\(arrival.lastArrivalAt.map { "\($0)" } ?? "never")"])
            await events.publish(.packageOverdue(.init(packageId: package.display, lastArrivalAt: arrival.lastArrivalAt, expectEvery: arrival.expectEvery)))
        }
    }

    /// The newest passed version of each package with `reverifyDays` is queued again once its verdict is that old.
    func queueDueReverifications(now: Date = Date()) async throws {
        let policies = try await PolicyStore(catalog: feed.catalog).operationsPolicies()
        var queued = false
        for (packageKey, policy) in policies {
            guard let days = policy.reverifyDays,
                  let resolved = try await feed.catalog.latest(packageKey: packageKey, verified: true),
                  let versionId = resolved.version.id,
                  let finishedAt = resolved.latestJob?.finishedAt,
                  now.timeIntervalSince(finishedAt) > days * 86400,
                  try await !feed.catalog.hasPendingJob(versionId: versionId) else { continue }
            _ = try await feed.catalog.enqueueVerification(versionId: versionId)
            logger.info("re-verification queued", metadata: ["package": "\(resolved.package.display)", "version": "\(resolved.version.version)"])
            queued = true
        }
        if queued { await signal.notify() }
    }
}
