import Foundation
import Hummingbird
import Logging
import PackageFeed
import BackupVerifier
import ServiceLifecycle

/// Builds the whole server: opens the feed under the data directory (sweeping what a crash left), makes
/// sure an admin key exists, and wires routes and services. The command line and the tests both call this.
public func buildApplication(_ configuration: FeedServerConfiguration, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "backupfeed")
    logger.logLevel = configuration.logLevel
    if configuration.sandbox.allowUnconfined {
        logger.critical(
            "--unsafe-no-sandbox: where no OS sandbox can be made, MariaDB, PostgreSQL and SQLite restore pushed dumps WITHOUT one; a crafted backup may then reach this machine")
    }
    let feed = try PackageFeed(dataDirectory: configuration.dataDirectory, logger: logger)
    try await feed.recover()
    try await AdminKeyBootstrap(keys: feed.keys, logger: logger).run(configuration)

    let signal = VerificationSignal()
    let metrics = FeedMetrics()
    let webhookSignal = WebhookSignal()
    let outbox = WebhookOutbox(catalog: feed.catalog, signal: webhookSignal, linkBase: configuration.linkBaseURL, logger: logger)
    let receipts = ReceiptWriter(catalog: feed.catalog, keyring: ReceiptKeyring(dataDirectory: configuration.dataDirectory), logger: logger)
    let events = FeedEvents([
        metrics.listener,
        receipts.listener,
        { event in if case .versionPushed = event { await signal.notify() } },
        { event in await outbox.record(event) },
    ])
    let router = buildRouter(feed: feed, events: events, signal: signal, metrics: metrics, receipts: receipts, configuration: configuration)
    var services: [any Service] = []
    if configuration.runVerifications {
        let verifier = BackupVerifier(
            configuration: .standard(
                workRoot: configuration.sandboxDirectory, sandbox: configuration.sandbox, sqliteHelper: configuration.sqliteHelper,
                sqliteLimits: configuration.sqliteLimits, logger: logger),
            logger: logger)
        services.append(
            VerificationService(
                feed: feed, verifier: verifier, janitor: SandboxJanitor(root: configuration.sandboxDirectory, logger: logger),
                concurrency: configuration.verifyConcurrency, signal: signal, events: events, logger: logger
            )
        )
    }
    services.append(
        OperationsService(
            feed: feed, events: events, signal: signal, checkInterval: configuration.operationsCheckInterval,
            retentionInterval: configuration.retentionInterval, logger: logger
        )
    )
    services.append(
        WebhookDeliveryService(
            catalog: feed.catalog, signal: webhookSignal, retry: configuration.webhookRetry, logger: logger,
            targets: TargetAddressPolicy(allowPrivateTargets: configuration.allowPrivateTargets),
            mailer: configuration.smtp.map { SMTPMailer(configuration: $0, timeout: configuration.webhookRetry.attemptTimeout) }))
    let limits = configuration.connectionLimits
    let connections = ConnectionCounter(limit: limits.maxConnections, logger: logger)
    let maxBodySize = configuration.maxUploadSize
    let connectionLogger = logger
    return Application(
        router: router,
        server: .http1(
            configuration: .init(
                // The limit first: a connection over the cap is answered before anything else sees its request.
                additionalChannelHandlers: [
                    ConnectionLimitHandler(counter: connections),
                    HeaderReadTimeoutHandler(timeout: limits.headerTimeout, logger: connectionLogger),
                    WriteStallTimeoutHandler(timeout: limits.idleTimeout, logger: connectionLogger),
                    ExpectContinueHandler(maxBodySize: maxBodySize),
                ],
                idleTimeout: .nanoseconds(Int64(limits.idleTimeout / .nanoseconds(1)))
            )
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "BackupFeed"),
        services: services,
        logger: logger
    )
}

/// The routes: native API under `/api/packages`, Octopus routes under `/api` and `/api/Spaces-{n}`, the Maven view
/// under `/maven`, health, UI.
func buildRouter(
    feed: PackageFeed, events: FeedEvents, signal: VerificationSignal, metrics: FeedMetrics, receipts: ReceiptWriter,
    configuration: FeedServerConfiguration
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: ErrorMiddleware(style: .native))
    let receiver = UploadReceiver(
        feed: feed, maxUploadSize: configuration.maxUploadSize, events: events, metrics: metrics,
        freeSpace: FreeSpaceGuard(directory: configuration.dataDirectory, floor: configuration.minFreeSpace, probe: configuration.freeSpaceProbe))
    let downloads = DownloadResponder(feed: feed, metrics: metrics)
    // Every group that reads keys checks its query string first, inside its own error middleware (Octopus shape there).
    let auth = QueryLimitsMiddleware(AuthMiddleware(keys: feed.keys, throttle: FailedKeyThrottle(policy: configuration.failedKeyThrottle)))

    // Octopus routes: unscoped under `/api`, and under `/api/Spaces-{n}` only, so that a space segment can never
    // shadow a native route (`/api/webhooks`, `/api/verifications/…`).
    let space = OctopusSpace(name: configuration.spaceName)
    let octopusAPI = router.group("api").add(middleware: ErrorMiddleware(style: .octopus)).add(middleware: auth)
    let octopusSpace = router.group("api/Spaces-{spaceNumber}").add(middleware: ErrorMiddleware(style: .octopus)).add(middleware: auth)
        .add(middleware: OctopusSpaceMiddleware(space: space))
    let octopus = OctopusController(feed: feed, receiver: receiver, downloads: downloads, privateMetadata: configuration.privateMetadata)
    octopus.addRoutes(to: octopusAPI, scoped: false)
    octopus.addRoutes(to: octopusSpace, scoped: true)
    OctopusRootController(catalog: feed.catalog, space: space, privateMetadata: configuration.privateMetadata)
        .addRoutes(api: octopusAPI, spaceHome: octopusSpace)

    let packages = router.group("api/packages").add(middleware: ErrorMiddleware(style: .native)).add(middleware: auth)
    let api = router.group("api").add(middleware: ErrorMiddleware(style: .native)).add(middleware: auth)
    VerificationController(feed: feed, signal: signal, privateMetadata: configuration.privateMetadata)
        .addRoutes(packages: packages, api: api)
    WebhooksController(
        catalog: feed.catalog, targets: TargetAddressPolicy(allowPrivateTargets: configuration.allowPrivateTargets),
        emailEnabled: configuration.smtp != nil
    ).addRoutes(to: api)
    ReceiptsController(feed: feed, writer: receipts, privateMetadata: configuration.privateMetadata).addRoutes(to: api)
    EvidenceController(feed: feed, privateMetadata: configuration.privateMetadata).addRoutes(to: api)
    PackagesController(feed: feed, receiver: receiver, downloads: downloads, privateMetadata: configuration.privateMetadata)
        .addRoutes(to: packages)
    TrendController(feed: feed, privateMetadata: configuration.privateMetadata).addRoutes(to: packages)
    var retentionLogger = Logger(label: "backupfeed")
    retentionLogger.logLevel = configuration.logLevel
    RetentionController(feed: feed, logger: retentionLogger).addRoutes(to: api)
    if let decryptionKeys = feed.decryptionKeys { DecryptionKeysController(store: decryptionKeys).addRoutes(to: api) }
    HealthController(feed: feed).addRoutes(to: router)
    MetricsController(metrics: metrics, feed: feed, privateMetadata: configuration.privateMetadata)
        .addRoutes(to: router.group("metrics").add(middleware: auth))
    BadgeController(feed: feed, privateMetadata: configuration.privateMetadata).addRoutes(to: router.group("badge").add(middleware: auth))
    MavenController(feed: feed, downloads: downloads, privateMetadata: configuration.privateMetadata)
        .addRoutes(to: router.group("maven").add(middleware: ErrorMiddleware(style: .maven)).add(middleware: MavenAuthMiddleware(keys: feed.keys)))
    OctopusNotFoundController(space: space).addRoutes(to: router.group("api").add(middleware: ErrorMiddleware(style: .octopus)))

    if let publicDirectory = configuration.publicDirectory {
        UIController(publicDirectory: publicDirectory).addRoutes(to: router)
        router.add(middleware: FileMiddleware(publicDirectory.path, searchForIndexHtml: true))
    }
    return router
}
