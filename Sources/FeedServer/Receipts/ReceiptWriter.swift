import Foundation
import Logging
import PackageFeed

/// Signs a receipt for every finished verification and stores it in the catalog, once: a listener of
/// `FeedEvents`. A receipt that cannot be made is logged, never a reason to lose the verdict.
public struct ReceiptWriter: Sendable {
    let catalog: Catalog
    let keyring: ReceiptKeyring
    let logger: Logger

    public init(catalog: Catalog, keyring: ReceiptKeyring, logger: Logger) {
        self.catalog = catalog
        self.keyring = keyring
        self.logger = logger
    }

    var listener: FeedEvents.Listener {
        { event in
            guard case .verificationFinished(let finished) = event else { return }
            do {
                try await write(finished)
            } catch {
                logger.error("cannot sign the restore receipt", metadata: ["verification": "\(finished.verificationId)", "error": "\(error)"])
            }
        }
    }

    @discardableResult
    func write(_ finished: FeedEvent.FinishedVerification) async throws -> ReceiptRecord {
        let (keyId, key) = try keyring.currentKey()
        let payload = try RestoreReceiptStatement(finished).encoded()
        let envelope = try DSSEEnvelope.sign(payload: payload, payloadType: DSSEEnvelope.inTotoPayloadType, key: key, keyId: keyId)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(envelope), as: UTF8.self)
        return try await catalog.storeReceipt(ReceiptRecord(verificationId: finished.verificationId, keyId: keyId, envelope: json))
    }
}
