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

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: "feed-data"),
        maxUploadSize: Int64 = 20 * 1024 * 1024 * 1024, privateMetadata: Bool = false, adminKey: String? = nil,
        createAdminKeyIfNone: Bool = true, publicDirectory: URL? = nil, logLevel: Logger.Level = .info
    ) {
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
}
