import Foundation
import GRDB

/// The last arrival state the operations loop saw for a package, so that `package.overdue` fires once per
/// transition from on time to overdue.
public struct PackageArrivalRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "packageArrival"
    public var packageKey: String
    public var overdue: Bool
    public var changedAt: Date
}

enum ArrivalSchema {
    static func create(_ db: Database) throws {
        try db.create(table: PackageArrivalRecord.databaseTableName) { t in
            t.primaryKey("packageKey", .text).references("package", column: "key", onDelete: .cascade)
            t.column("overdue", .boolean).notNull()
            t.column("changedAt", .datetime).notNull()
        }
    }
}

extension Catalog {
    /// Records whether a package is overdue; returns true when it just became overdue.
    public func recordArrival(packageKey: String, overdue: Bool, at date: Date = Date()) async throws -> Bool {
        try await pool.write { db in
            let previous = try PackageArrivalRecord.fetchOne(db, key: packageKey)
            guard previous?.overdue != overdue else { return false }
            try PackageArrivalRecord(packageKey: packageKey, overdue: overdue, changedAt: date).save(db)
            return overdue
        }
    }

    /// When each package's newest version was published.
    public func lastPublishedAt(packageKeys: [String]) async throws -> [String: Date] {
        guard !packageKeys.isEmpty else { return [:] }
        return try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT packageKey, MAX(publishedAt) AS publishedAt FROM packageVersion WHERE packageKey IN (\(packageKeys.map { _ in "?" }.joined(separator: ","))) GROUP BY packageKey",
                arguments: StatementArguments(packageKeys))
            var result: [String: Date] = [:]
            for row in rows {
                if let key: String = row["packageKey"], let date: Date = row["publishedAt"] { result[key] = date }
            }
            return result
        }
    }
}
