import Foundation
import GRDB

/// The SQLite catalog (GRDB `DatabasePool`, WAL): packages, versions, keys, jobs, policies.
/// Writes are serialised by GRDB's single writer, which is what makes pushes of one version race-free.
public final class Catalog: Sendable {
    let pool: DatabasePool

    public init(path: URL) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path.path, configuration: configuration)
        try CatalogMigrations.migrator.migrate(pool)
    }
}
