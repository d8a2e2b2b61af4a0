import ArgumentParser
import BackupVerifier
import FeedServer
import Foundation
import Hummingbird
import Logging

/// `backupfeed serve`: runs the feed until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the feed server. Every flag can also be set with its BACKUPFEED_* environment variable."
    )

    @Option(help: "Address to listen on (BACKUPFEED_HOST).")
    var host = EnvironmentDefaults.string("BACKUPFEED_HOST", "127.0.0.1")

    @Option(help: "Port to listen on (BACKUPFEED_PORT).")
    var port = EnvironmentDefaults.int("BACKUPFEED_PORT", 8080)

    @Option(help: "Where the catalog and blobs live; created on first start (BACKUPFEED_DATA_DIR).")
    var dataDir = EnvironmentDefaults.string("BACKUPFEED_DATA_DIR", "./feed-data")

    @Option(help: "Largest accepted upload, like 20GiB or 500MB (BACKUPFEED_MAX_UPLOAD_SIZE).")
    var maxUploadSize = EnvironmentDefaults.string("BACKUPFEED_MAX_UPLOAD_SIZE", "20GiB")

    @Option(help: "trace, debug, info, notice, warning, error or critical (BACKUPFEED_LOG_LEVEL).")
    var logLevel = EnvironmentDefaults.string("BACKUPFEED_LOG_LEVEL", "info")

    @Flag(help: "Metadata needs a key with read scope too; downloads always do (BACKUPFEED_PRIVATE=true).")
    var `private` = EnvironmentDefaults.bool("BACKUPFEED_PRIVATE")

    @Option(help: "Directory of the browser UI's static files (BACKUPFEED_PUBLIC_DIR).")
    var publicDir = EnvironmentDefaults.string("BACKUPFEED_PUBLIC_DIR", "./Public")

    @Option(help: "Verification runs at the same time (BACKUPFEED_VERIFY_CONCURRENCY).")
    var verifyConcurrency = EnvironmentDefaults.int("BACKUPFEED_VERIFY_CONCURRENCY", 1)

    @Option(help: "Where disposable databases live during a run (BACKUPFEED_SANDBOX_DIR).")
    var sandboxDir = EnvironmentDefaults.string("BACKUPFEED_SANDBOX_DIR", FeedServerConfiguration.defaultSandboxDirectory.path)

    @Option(help: "The server's URL as users reach it, for links in webhook payloads; default http://HOST:PORT (BACKUPFEED_PUBLIC_URL).")
    var publicUrl = EnvironmentDefaults.string("BACKUPFEED_PUBLIC_URL", "")

    @Option(help: "After SIGTERM or SIGINT, seconds that uploads in flight may take to finish before they are cut off (BACKUPFEED_SHUTDOWN_GRACE).")
    var shutdownGrace = EnvironmentDefaults.int("BACKUPFEED_SHUTDOWN_GRACE", 30)

    @Flag(help: "Restore with MariaDB, PostgreSQL and SQLite even where no OS sandbox (bubblewrap) can be made. Dangerous: a crafted backup could then run code on this machine (BACKUPFEED_UNSAFE_NO_SANDBOX=true).")
    var unsafeNoSandbox = EnvironmentDefaults.bool("BACKUPFEED_UNSAFE_NO_SANDBOX")

    @Option(help: "Disk one verification's sandbox may use before it ends with error; a policy's maxSandboxBytes overrides it (BACKUPFEED_MAX_SANDBOX_SIZE).")
    var maxSandboxSize = EnvironmentDefaults.string("BACKUPFEED_MAX_SANDBOX_SIZE", "64GiB")

    @Option(help: "Address space of each database server and restore client (BACKUPFEED_SANDBOX_MEMORY).")
    var sandboxMemory = EnvironmentDefaults.string("BACKUPFEED_SANDBOX_MEMORY", "8GiB")

    @Option(help: "Address space of the SQLite restore child; SQLite's heap gets half of it (BACKUPFEED_SQLITE_MEMORY).")
    var sqliteMemory = EnvironmentDefaults.string("BACKUPFEED_SQLITE_MEMORY", "4GiB")

    @Option(help: "The largest single statement of a SQLite dump; a larger one fails the run (BACKUPFEED_SQLITE_MAX_STATEMENT).")
    var sqliteMaxStatement = EnvironmentDefaults.string("BACKUPFEED_SQLITE_MAX_STATEMENT", "64MiB")

    @Option(help: "The name of the Octopus space that octo, the octopus CLI and the GitHub Action look up with --space (BACKUPFEED_SPACE_NAME).")
    var spaceName = EnvironmentDefaults.string("BACKUPFEED_SPACE_NAME", "Default")

    @Option(help: "Seconds a client gets to send a request's complete head, from connecting or from the previous answer (BACKUPFEED_HEADER_TIMEOUT).")
    var headerTimeout = EnvironmentDefaults.int("BACKUPFEED_HEADER_TIMEOUT", 30)

    @Option(help: "Seconds without a byte of the request arriving before the connection is closed; silence, not total time (BACKUPFEED_IDLE_TIMEOUT).")
    var idleTimeout = EnvironmentDefaults.int("BACKUPFEED_IDLE_TIMEOUT", 300)

    @Option(help: "Connections open at once; beyond it new ones are answered 503 (BACKUPFEED_MAX_CONNECTIONS).")
    var maxConnections = EnvironmentDefaults.int("BACKUPFEED_MAX_CONNECTIONS", 512)

    @Option(help: "Wrong API keys one client address may send in a row before 429; 0 turns throttling off (BACKUPFEED_FAILED_KEY_BURST).")
    var failedKeyBurst = EnvironmentDefaults.int("BACKUPFEED_FAILED_KEY_BURST", 10)

    @Option(help: "Seconds after which a throttled address may try one more key (BACKUPFEED_FAILED_KEY_REFILL).")
    var failedKeyRefill = EnvironmentDefaults.int("BACKUPFEED_FAILED_KEY_REFILL", 6)

    @Option(help: "Comma-separated addresses or blocks (127.0.0.0/8, ::1, 172.16.0.0/12) of reverse proxies whose X-Forwarded-For names the client for key throttling (BACKUPFEED_TRUSTED_PROXIES).")
    var trustedProxies = EnvironmentDefaults.string("BACKUPFEED_TRUSTED_PROXIES", "127.0.0.0/8,::1")

    @Option(help: "Free space to keep on the data directory's filesystem; uploads that would go below get 507, 0 turns it off (BACKUPFEED_MIN_FREE_SPACE).")
    var minFreeSpace = EnvironmentDefaults.string("BACKUPFEED_MIN_FREE_SPACE", "1GiB")

    @Flag(help: "Let webhooks target loopback, link-local and private addresses (BACKUPFEED_ALLOW_PRIVATE_TARGETS=true).")
    var allowPrivateTargets = EnvironmentDefaults.bool("BACKUPFEED_ALLOW_PRIVATE_TARGETS")

    @Option(help: ArgumentHelp(
        "Mail relay of email notification targets: smtp://user:password@host:587 (STARTTLS required), smtps://…:465 or smtp+insecure://host:25 (BACKUPFEED_SMTP_URL).",
        valueName: "url"))
    var smtpUrl = EnvironmentDefaults.string("BACKUPFEED_SMTP_URL", "")

    @Option(help: ArgumentHelp("Sender address of notification mail; default: the relay's user name if it is an address, else backupfeed@<relay host> (BACKUPFEED_SMTP_FROM).", valueName: "address"))
    var smtpFrom = EnvironmentDefaults.string("BACKUPFEED_SMTP_FROM", "")

    @Option(help: ArgumentHelp("PEM file of extra certificates to trust for the mail relay, for a private CA (BACKUPFEED_SMTP_CA_FILE).", valueName: "file"))
    var smtpCaFile = EnvironmentDefaults.string("BACKUPFEED_SMTP_CA_FILE", "")

    func run() async throws {
        guard shutdownGrace >= 0 else { throw ValidationError("--shutdown-grace must be 0 or more seconds") }
        guard (1...64).contains(verifyConcurrency) else { throw ValidationError("--verify-concurrency must be 1 to 64") }
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let maxBytes = ByteSize.parse(maxUploadSize), maxBytes > 0 else {
            throw ValidationError("--max-upload-size must be a size like 20GiB, 500MB or 1048576")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1 to 65535") }
        guard headerTimeout >= 1 else { throw ValidationError("--header-timeout must be 1 second or more") }
        guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be 1 second or more") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be 1 or more") }
        guard failedKeyBurst >= 0 else { throw ValidationError("--failed-key-burst must be 0 (off) or more") }
        guard failedKeyRefill >= 1 else { throw ValidationError("--failed-key-refill must be 1 second or more") }
        var proxies: [AddressRange] = []
        for text in trustedProxies.split(separator: ",").map(String.init) where !text.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let range = AddressRange(text) else {
                throw ValidationError("--trusted-proxies: '\(text)' is not an address or block like 10.0.0.5, 172.16.0.0/12 or ::1")
            }
            proxies.append(range)
        }
        guard let freeFloor = ByteSize.parse(minFreeSpace), freeFloor >= 0 else {
            throw ValidationError("--min-free-space must be a size like 1GiB or 500MB, or 0 to turn the check off")
        }
        var isDirectory: ObjCBool = false
        let publicURL = URL(fileURLWithPath: publicDir)
        let hasPublic = FileManager.default.fileExists(atPath: publicURL.path, isDirectory: &isDirectory) && isDirectory.boolValue
        var configuration = FeedServerConfiguration(
            host: host, port: port, dataDirectory: URL(fileURLWithPath: dataDir), maxUploadSize: maxBytes,
            privateMetadata: `private`, adminKey: ProcessInfo.processInfo.environment["BACKUPFEED_ADMIN_KEY"],
            publicDirectory: hasPublic ? publicURL : nil, logLevel: level,
            verifyConcurrency: verifyConcurrency, sandboxDirectory: URL(fileURLWithPath: sandboxDir)
        )
        configuration.shutdownGrace = .seconds(shutdownGrace)
        configuration.sandbox.allowUnconfined = unsafeNoSandbox
        configuration.sqliteHelper = SQLiteHelperExecutable.currentExecutable()
        guard let sandboxBytes = ByteSize.parse(maxSandboxSize), sandboxBytes >= 1 << 20 else {
            throw ValidationError("--max-sandbox-size must be a size of at least 1MiB, like 64GiB")
        }
        guard let memoryBytes = ByteSize.parse(sandboxMemory), memoryBytes >= 2 << 30 else {
            throw ValidationError("--sandbox-memory must be a size of at least 2GiB (mariadbd reserves about 1.5 GiB of address space), like 8GiB")
        }
        configuration.sandbox.limits.sandboxBytes = UInt64(sandboxBytes)
        configuration.sandbox.limits.addressSpaceBytes = UInt64(memoryBytes)
        guard let sqliteBytes = ByteSize.parse(sqliteMemory), sqliteBytes >= 256 << 20 else {
            throw ValidationError("--sqlite-memory must be a size of at least 256MiB, like 4GiB")
        }
        guard let statementBytes = ByteSize.parse(sqliteMaxStatement), statementBytes >= 1 << 20, statementBytes <= 1 << 30 else {
            throw ValidationError("--sqlite-max-statement must be a size between 1MiB and 1GiB, like 64MiB")
        }
        configuration.sqliteLimits = SQLiteLimits(maxStatementBytes: Int(statementBytes), addressSpaceBytes: UInt64(sqliteBytes))

        let trimmedSpaceName = spaceName.trimmingCharacters(in: .whitespaces)
        // Octopus limits space names to 50 characters (go-octopusdeploy validates Space.Name with max=50).
        guard !trimmedSpaceName.isEmpty, trimmedSpaceName.count <= 50 else { throw ValidationError("--space-name must be 1 to 50 characters") }
        configuration.spaceName = trimmedSpaceName

        configuration.connectionLimits = ConnectionLimits(
            headerTimeout: .seconds(headerTimeout), idleTimeout: .seconds(idleTimeout), maxConnections: maxConnections)
        configuration.failedKeyThrottle = FailedKeyThrottlePolicy(
            burst: failedKeyBurst, refill: .seconds(failedKeyRefill), trustedProxies: proxies)
        configuration.minFreeSpace = freeFloor
        configuration.allowPrivateTargets = allowPrivateTargets
        if !smtpUrl.isEmpty {
            do {
                let smtp = try SMTPConfiguration(
                    url: smtpUrl, from: smtpFrom.isEmpty ? nil : smtpFrom, caFile: smtpCaFile.isEmpty ? nil : smtpCaFile)
                configuration.smtp = smtp
                Logger(label: "backupfeed").info("email notifications go through \(smtp.redacted) from \(smtp.from)")
            } catch {
                throw ValidationError(error.description)
            }
        }
        if allowPrivateTargets {
            // Said at start so that nobody leaves it on by accident: it lets an admin key aim requests at the LAN.
            Logger(label: "backupfeed").warning("--allow-private-targets: webhooks may reach loopback, link-local and private addresses")
        }
        if !publicUrl.isEmpty {
            guard let scheme = URLComponents(string: publicUrl)?.scheme?.lowercased(), ["http", "https"].contains(scheme),
                URLComponents(string: publicUrl)?.host?.isEmpty == false
            else { throw ValidationError("--public-url must be an http:// or https:// URL, such as https://backups.example.com") }
            configuration.publicURL = publicUrl
        }
        let app = try await buildApplication(configuration)
        try await app.runUntilStopped(grace: configuration.shutdownGrace)
    }
}
