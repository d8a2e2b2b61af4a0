import Foundation
import GRDB

/// A signed restore receipt: written once when a verification finishes, never changed afterwards.
public struct ReceiptRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "receipt"
    public var verificationId: Int64
    public var keyId: String
    /// The DSSE envelope as JSON, byte for byte as it was signed and first served.
    public var envelope: String
    public var createdAt: Date

    public init(verificationId: Int64, keyId: String, envelope: String, createdAt: Date = Date()) {
        self.verificationId = verificationId
        self.keyId = keyId
        self.envelope = envelope
        self.createdAt = createdAt
    }
}

enum ReceiptSchema {
    static func create(_ db: Database) throws {
        try db.create(table: ReceiptRecord.databaseTableName) { table in
            table.primaryKey("verificationId", .integer).references("verificationJob", onDelete: .cascade)
            table.column("keyId", .text).notNull()
            table.column("envelope", .text).notNull()
            table.column("createdAt", .datetime).notNull()
        }
        // Receipts are evidence: the catalog refuses to change one, whoever asks.
        try db.execute(sql: """
            CREATE TRIGGER receipt_immutable BEFORE UPDATE ON receipt
            BEGIN SELECT RAISE(ABORT, 'receipts cannot be changed'); END
            """)
    }
}

extension Catalog {
    /// Stores a receipt unless the verification already has one (the first one stays).
    @discardableResult
    public func storeReceipt(_ receipt: ReceiptRecord) async throws -> ReceiptRecord {
        try await pool.write { db in
            if let existing = try ReceiptRecord.fetchOne(db, key: receipt.verificationId) { return existing }
            try receipt.insert(db)
            return receipt
        }
    }

    public func receipt(verificationId: Int64) async throws -> ReceiptRecord? {
        try await pool.read { db in try ReceiptRecord.fetchOne(db, key: verificationId) }
    }
}
