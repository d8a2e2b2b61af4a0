import BackupVerifier
import Foundation
import HTTPTypes
import PackageFeed
import Prometheus

/// The metrics of one application, in its own Prometheus registry rather than the process-wide
/// `MetricsSystem`: tests build many applications in one process, and each must count only its own traffic.
/// Names and labels are fixed by the contract (docs/metrics.md lists them); every labelled series that can
/// exist is created at zero up front, so that `rate()` and `increase()` see the first event.
final class FeedMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let pushes: [PushResult: Counter]
    private let pushedBytes: [PushResult: Counter]
    private let downloads: Counter
    private let downloadedBytes: Counter
    private let verificationDurations: [String: DurationHistogram]
    /// Gauges computed from the catalog when Prometheus scrapes.
    let scrapeGauges: ScrapeGauges

    /// How a push ended, as the `result` label.
    enum PushResult: String, Sendable, CaseIterable {
        case created, replaced, unchanged, ignored
        /// The push failed: refused (400, 401/403, 409, 413, 422) or cut off before it was stored.
        case rejected

        init(_ outcome: PublishOutcome) {
            switch outcome {
            case .created: self = .created
            case .replaced: self = .replaced
            case .unchanged: self = .unchanged
            case .ignored: self = .ignored
            }
        }
    }

    static let engines = ["sqlite", "mariadb", "postgres", "none"]
    static let verdicts = [Verdict.passed, .failed, .error].map(\.rawValue)

    /// From a few milliseconds (metadata reads) to many minutes (multi-gigabyte uploads).
    static let requestBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
    ]
    /// From a small SQLite dump (under a second) to a large server-engine restore (the default timeout is 30 min).
    static let verificationBuckets: [Duration] = [
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        .seconds(120), .seconds(300), .seconds(600), .seconds(1800), .seconds(3600),
    ]

    init() {
        let registry = registry
        pushes = Dictionary(uniqueKeysWithValues: PushResult.allCases.map { result in
            (result, registry.makeCounter(
                descriptor: Self.name("backupfeed_pushes_total", "Pushes by how they ended."), labels: [("result", result.rawValue)]))
        })
        pushedBytes = Dictionary(uniqueKeysWithValues: PushResult.allCases.map { result in
            (result, registry.makeCounter(
                descriptor: Self.name("backupfeed_pushed_bytes_total", "Bytes of package files received by pushes, by how the push ended."),
                labels: [("result", result.rawValue)]))
        })
        downloads = registry.makeCounter(
            descriptor: Self.name("backupfeed_downloads_total", "Package downloads started (GET with a body: 200 or 206)."))
        downloadedBytes = registry.makeCounter(
            descriptor: Self.name("backupfeed_downloaded_bytes_total", "Bytes of package files written to downloading clients."))
        var durations: [String: DurationHistogram] = [:]
        for engine in Self.engines {
            for verdict in Self.verdicts {
                durations["\(engine)/\(verdict)"] = registry.makeDurationHistogram(
                    descriptor: Self.name("backupfeed_verification_duration_seconds", "How long verification runs took, by engine and verdict."),
                    labels: [("engine", engine), ("verdict", verdict)], buckets: Self.verificationBuckets)
            }
        }
        verificationDurations = durations
        scrapeGauges = ScrapeGauges(registry: registry)
    }

    static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    func recordPush(_ result: PushResult, bytes: Int64) {
        pushes[result]?.increment()
        pushedBytes[result]?.increment(by: bytes)
    }

    func recordDownloadStarted() {
        downloads.increment()
    }

    func recordDownloaded(bytes: Int) {
        downloadedBytes.increment(by: Int64(bytes))
    }

    /// One request, labelled by method (unusual methods as "other") and status code, never by path:
    /// paths carry package names and versions, which would make a series per version.
    func recordRequest(method: HTTPRequest.Method, status: HTTPResponse.Status, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.name("backupfeed_http_request_duration_seconds", "HTTP requests by method and status code, until the response was written."),
            labels: [("method", Self.methodLabel(method)), ("status", String(status.code))],
            buckets: Self.requestBuckets
        ).record(duration)
    }

    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        let known: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .delete, .patch, .options]
        return known.contains(method) ? method.rawValue : "other"
    }

    /// A run's verdict; an engine this version does not know is counted as "none" rather than adding a series.
    func recordVerification(_ report: VerificationReport) {
        let engine = report.engine.map(\.name).flatMap { Self.engines.contains($0) ? $0 : nil } ?? "none"
        verificationDurations["\(engine)/\(report.verdict.rawValue)"]?.record(.seconds(max(0, report.totalSeconds)))
    }

    /// The restore stage of a package's newest finished run (the measured recovery time), for trend panels.
    func recordRestoreDuration(package: String, report: VerificationReport) {
        guard let restore = report.timings.first(where: { $0.stage == "restore" }) else { return }
        registry.makeGauge(
            descriptor: Self.name("backupfeed_restore_duration_seconds", "Seconds the newest finished verification of the package took to restore its backup."),
            labels: [("package", package)]
        ).set(to: restore.seconds)
    }

    /// The listener `buildApplication` registers in `FeedEvents`.
    var listener: FeedEvents.Listener {
        { [self] event in
            if case .verificationFinished(let finished) = event {
                recordVerification(finished.report)
                recordRestoreDuration(package: finished.packageId, report: finished.report)
            }
        }
    }

    /// The text exposition, after refreshing the gauges that are read from the catalog.
    func exposition(catalog: Catalog) async throws -> String {
        try await scrapeGauges.refresh(from: catalog)
        return registry.emitToString()
    }
}
