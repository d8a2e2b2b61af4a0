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
    private var overdue: [String: Gauge] = [:]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
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
        // The same judgement as the package JSON's `stale` and the package.stale webhook, for packages with `maxAgeHours`.
        let freshness = try await FreshnessReader(catalog: catalog).all()
        stale = update(
            stale, to: Dictionary(freshness.map { ($0.package.display, $0.freshness.stale ? 1 : 0) }, uniquingKeysWith: { first, _ in first }),
            descriptor: FeedMetrics.name(
                "backupfeed_package_stale", "1 when the package's newest passed verification is older than its policy's maxAgeHours."))
        let arrivals = try await ArrivalReader(catalog: catalog).all()
        overdue = update(
            overdue, to: Dictionary(arrivals.map { ($0.package.display, $0.arrival.overdue ? 1 : 0) }, uniquingKeysWith: { first, _ in first }),
            descriptor: FeedMetrics.name(
                "backupfeed_package_overdue", "1 when no new version of the package arrived within its policy's expectEvery."))
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
