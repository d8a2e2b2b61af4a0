import BackupVerifier
import Foundation
import Logging

/// Everything `buildApplication` needs; the command line fills it from flags and environment variables.
public struct FeedServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: URL
    /// Largest accepted upload in bytes.
    public var maxUploadSize: Int64
    /// When true, metadata routes need a key with `read` scope too (`--private`).
    public var privateMetadata: Bool
    /// Installs this admin key on start (`BACKUPFEED_ADMIN_KEY`).
    public var adminKey: String?
    /// When no key exists, make an admin key and print it once.
    public var createAdminKeyIfNone: Bool
    /// Static files of the browser UI; nil disables it.
    public var publicDirectory: URL?
    public var logLevel: Logger.Level
    /// Verification runs at the same time (`--verify-concurrency`).
    public var verifyConcurrency: Int
    /// Where disposable databases live while a run lasts; must be reachable by the unprivileged sandbox user,
    /// so the default is under the system temp directory rather than the data directory.
    public var sandboxDirectory: URL
    /// Off in tests that want versions to stay queued.
    public var runVerifications: Bool
    /// How often freshness and due re-verifications are checked.
    public var operationsCheckInterval: Duration = .seconds(60)
    /// How often retention policies are applied (the first pass runs one check interval after start).
    public var retentionInterval: Duration = .seconds(24 * 3600)
    /// After SIGTERM/SIGINT, how long uploads in flight may take to finish before they are cut off
    /// (`--shutdown-grace`); running verifications are stopped and queued again either way.
    public var shutdownGrace: Duration = .seconds(30)
    /// The server's address as users reach it (`--public-url`), for links such as a webhook's `reportUrl`;
    /// nil means `http://<host>:<port>`.
    public var publicURL: String? = nil
    /// The name of the one Octopus space (`Spaces-1`) that Octopus clients look up with `--space` (`--space-name`).
    public var spaceName: String = "Default"
    /// Backoff and attempts of webhook deliveries; tests shorten the delays.
    public var webhookRetry = WebhookRetry()
    /// The OS sandbox around database servers and restore clients (`--unsafe-no-sandbox` allows running without
    /// one), and each run's resource limits.
    public var sandbox = SandboxSettings()
    /// The `backupfeed` executable whose hidden `sqlite-child` subcommand restores SQLite backups in a child
    /// process (the server passes its own; tests the one built beside them).
    public var sqliteHelper: URL? = SQLiteHelperExecutable.locate()
    /// The SQLite restore child's memory and the largest statement it accepts (`--sqlite-memory`, `--sqlite-max-statement`).
    public var sqliteLimits = SQLiteLimits()
    /// Header-read and idle timeouts and the connection cap (`--header-timeout`, `--idle-timeout`, `--max-connections`).
    public var connectionLimits = ConnectionLimits()
    /// Wrong API keys allowed per client address before 429 (`--failed-key-burst`, `--failed-key-refill`).
    public var failedKeyThrottle = FailedKeyThrottlePolicy()
    /// Uploads that would leave less than this many bytes free on the data directory's filesystem are refused with
    /// 507 (`--min-free-space`); 0 turns the check off.
    public var minFreeSpace: Int64 = 1 << 30
    /// Tests simulate a filling disk with this; nil reads the filesystem.
    var freeSpaceProbe: (@Sendable (URL) -> Int64?)? = nil
    /// Webhooks may target loopback, link-local and private addresses (`--allow-private-targets`).
    public var allowPrivateTargets = false
    /// The mail relay of `email` notification targets (`--smtp-url`, `--smtp-from`, `--smtp-ca-file`); nil means
    /// email targets cannot be created.
    public var smtp: SMTPConfiguration? = nil

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: "feed-data"),
        maxUploadSize: Int64 = 20 * 1024 * 1024 * 1024, privateMetadata: Bool = false, adminKey: String? = nil,
        createAdminKeyIfNone: Bool = true, publicDirectory: URL? = nil, logLevel: Logger.Level = .info,
        verifyConcurrency: Int = 1, sandboxDirectory: URL = FeedServerConfiguration.defaultSandboxDirectory,
        runVerifications: Bool = true
    ) {
        self.verifyConcurrency = verifyConcurrency
        self.sandboxDirectory = sandboxDirectory
        self.runVerifications = runVerifications
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.maxUploadSize = maxUploadSize
        self.privateMetadata = privateMetadata
        self.adminKey = adminKey
        self.createAdminKeyIfNone = createAdminKeyIfNone
        self.publicDirectory = publicDirectory
        self.logLevel = logLevel
    }

    /// The base of links the server hands out: `publicURL` without a trailing slash, or `http://<host>:<port>`.
    public var linkBaseURL: String {
        var base = publicURL.flatMap { $0.isEmpty ? nil : $0 } ?? "http://\(host):\(port)"
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    public static var defaultSandboxDirectory: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-sandbox", isDirectory: true)
    }
}
