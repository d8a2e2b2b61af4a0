import Foundation
import Logging
import PackageFeed

#if canImport(Glibc)
import Glibc
#endif

/// Makes sure somebody can administer the feed: installs `BACKUPFEED_ADMIN_KEY` when given, otherwise creates
/// an admin key on the very first start and writes it to `DATA/initial-admin-key` (mode 0600).
///
/// The key goes to a file, not to the log: logs are shipped, kept and read by more people than the feed's
/// administrators (journald, Docker's log driver, a log aggregator), and an admin key there would be readable
/// for as long as the logs are kept. The log names the file.
struct AdminKeyBootstrap {
    let keys: APIKeys
    let logger: Logger
    static let environmentKeyName = "admin (BACKUPFEED_ADMIN_KEY)"
    static let fileName = "initial-admin-key"

    func run(_ configuration: FeedServerConfiguration) async throws {
        if let secret = configuration.adminKey, !secret.isEmpty {
            if try await keys.authenticate(secret) == nil {
                // The variable changed since the last start: the old environment key stops working.
                _ = try await keys.revoke(name: Self.environmentKeyName)
                _ = try await keys.install(secret: secret, name: Self.environmentKeyName, scope: .admin)
                logger.notice("installed the admin key from BACKUPFEED_ADMIN_KEY")
            }
            return
        }
        guard configuration.createAdminKeyIfNone, try await keys.count() == 0 else { return }
        let file = configuration.dataDirectory.appendingPathComponent(Self.fileName)
        let issued = try await keys.create(name: "admin", scope: .admin)
        do {
            try Self.writePrivately(issued.secret + "\n", to: file)
        } catch {
            // A key nobody can read helps nobody, and would stop the next start from making one.
            _ = try? await keys.revoke(name: "admin")
            throw error
        }
        logger.notice(
            """
            created the first admin key and wrote it to \(file.path) (readable by this user only): \
            read it, keep it somewhere safe, then delete the file. \
            Use it as X-Octopus-ApiKey, and make narrower keys with: backupfeed keys create --name ci --scope push
            """
        )
    }

    /// Creates `url` afresh with mode 0600 (a leftover from an earlier first start is replaced, never reused with
    /// its old permissions) and writes `text` to it.
    static func writePrivately(_ text: String, to url: URL) throws {
        unlink(url.path)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw AdminKeyFileError(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        // The umask can only take bits away; this makes 0600 exact whatever it is.
        fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw AdminKeyFileError(path: url.path, reason: String(cString: strerror(errno)))
        }
    }
}

struct AdminKeyFileError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot write the first admin key to \(path): \(reason)" }
}
