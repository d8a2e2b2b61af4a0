import Foundation
import PackageFeed
import Prometheus

/// The gauges that describe the catalog's state rather than count events: set from one catalog read each
/// time Prometheus scrapes, so they are never out of date and survive restarts without bookkeeping.
/// An actor, so that two scrapes at once do not interleave setting and removing per-package series.
actor ScrapeGauges {
    private let registry: PrometheusCollectorRegistry
    private let queueDepth: Gauge
    /// The per-package series emitted by the last scrape, so that a deleted package's series is removed.
    private var lastVerified: [String: Gauge] = [:]
    private var stale: [String: Gauge] = [:]
    /// Which packages are stale; nil until the freshness part provides it (see `FreshnessSource`).
    private let freshness: FreshnessSource?

    init(registry: PrometheusCollectorRegistry, freshness: FreshnessSource? = nil) {
        self.registry = registry
        self.freshness = freshness
        queueDepth = registry.makeGauge(
            descriptor: FeedMetrics.name("backupfeed_verification_queue_depth", "Verification jobs waiting in the queue."))
    }

    func refresh(from catalog: Catalog) async throws {
        let reading = try await catalog.gaugeReading()
        queueDepth.set(to: Double(reading.queuedJobs))
        lastVerified = update(
            lastVerified, to: reading.lastPassedAt.mapValues(\.timeIntervalSince1970),
            descriptor: FeedMetrics.name(
                "backupfeed_last_verified_timestamp_seconds", "Unix time when the package's newest passed verification finished."))
        if let freshness {
            let staleness = try await freshness(catalog)
            stale = update(
                stale, to: staleness.mapValues { $0 ? 1 : 0 },
                descriptor: FeedMetrics.name(
                    "backupfeed_package_stale", "1 when the package's newest passed verification is older than its policy's maxAgeHours."))
        }
    }

    /// Sets one gauge per package and unregisters those of packages that are gone.
    private func update(_ current: [String: Gauge], to values: [String: Double], descriptor: MetricNameDescriptor) -> [String: Gauge] {
        var next: [String: Gauge] = [:]
        for (package, value) in values {
            let gauge = current[package] ?? registry.makeGauge(descriptor: descriptor, labels: [("package", package)])
            gauge.set(to: value)
            next[package] = gauge
        }
        for (package, gauge) in current where next[package] == nil {
            registry.unregisterGauge(gauge)
        }
        return next
    }
}

/// Tells for each package with a freshness policy (`maxAgeHours`) whether it is stale now.
/// Hook for the freshness part of issue 5: `backupfeed_package_stale` is emitted only once one is passed in.
typealias FreshnessSource = @Sendable (Catalog) async throws -> [String: Bool]
