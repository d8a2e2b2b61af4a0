import Foundation
import Logging
import PackageFeed

/// Makes sure somebody can administer the feed: installs `BACKUPFEED_ADMIN_KEY` when given, otherwise creates
/// an admin key on the very first start and shows it once.
struct AdminKeyBootstrap {
    let keys: APIKeys
    let logger: Logger
    static let environmentKeyName = "admin (BACKUPFEED_ADMIN_KEY)"

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
        let issued = try await keys.create(name: "admin", scope: .admin)
        logger.notice(
            """
            created the first admin key (shown only now): \(issued.secret)
            use it as: curl -H "X-Octopus-ApiKey: \(issued.secret)" …, and make narrower keys with: backupfeed keys create --name ci --scope push
            """
        )
    }
}
