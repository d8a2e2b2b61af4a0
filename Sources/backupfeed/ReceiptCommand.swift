import ArgumentParser
import Crypto
import FeedServer
import Foundation

/// `backupfeed receipt verify|rotate-key`: check a restore receipt offline, and rotate the signing key.
struct ReceiptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt",
        abstract: "Check signed restore receipts offline, and rotate the key that signs them.",
        subcommands: [Verify.self, RotateKey.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a receipt's signature (and, given the backup file, its digest) without the server.",
            discussion: "Exit status: 0 the receipt is valid (and matches the file), 1 it is not, 64 bad usage.")

        @Argument(help: "The receipt (a DSSE envelope, as GET /api/verifications/ID/receipt serves it).")
        var receipt: String

        @Option(help: "The public key: PEM, raw base64, or 32 raw bytes (from GET /api/receipts/keys).")
        var key: String

        @Option(help: "The backup file the receipt is about; its SHA-256 must be the receipt's subject digest.")
        var artifact: String?

        func run() async throws {
            guard let envelopeData = FileManager.default.contents(atPath: receipt) else { throw ValidationError("cannot read \(receipt)") }
            guard let keyData = FileManager.default.contents(atPath: key) else { throw ValidationError("cannot read \(key)") }
            let publicKey: Curve25519.Signing.PublicKey
            do {
                publicKey = try ReceiptKeyring.publicKey(from: keyData)
            } catch {
                throw ValidationError("\(key) is not an Ed25519 public key (PEM, raw base64 or 32 bytes)")
            }
            guard let envelope = try? JSONDecoder().decode(DSSEEnvelope.self, from: envelopeData) else {
                fail("\(receipt) is not a DSSE envelope")
            }
            guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType else {
                fail("unexpected payload type \(envelope.payloadType)")
            }
            guard envelope.isSigned(by: publicKey) else {
                fail("the signature does not match: the receipt was changed, or signed by another key (key id \(ReceiptKeyring.keyId(of: publicKey)))")
            }
            guard let payload = envelope.payloadBytes, let statement = try? RestoreReceiptStatement.decode(payload) else {
                fail("the signed payload is not a restore receipt statement")
            }
            let subject = statement.subject.first
            if let artifact {
                guard let digest = try? fileSHA256(artifact) else { throw ValidationError("cannot read \(artifact)") }
                guard subject?.digest["sha256"]?.lowercased() == digest else {
                    fail("\(artifact) has SHA-256 \(digest), the receipt is about \(subject?.digest["sha256"] ?? "nothing")")
                }
            }
            let p = statement.predicate
            print("valid: signed by \(ReceiptKeyring.keyId(of: publicKey))")
            print("subject: \(subject?.name ?? "?") sha256:\(subject?.digest["sha256"] ?? "?")\(artifact == nil ? "" : " (matches \(artifact!))")")
            print("\(p.package) \(p.version): \(p.verdict) — \(p.summary)")
            print("engine: \(p.engine ?? "none") \(p.engineVersion ?? ""), worker \(p.worker), \(String(format: "%.1f", p.totalSeconds)) s, finished \(ISO8601DateFormatter().string(from: p.finishedAt))")
        }

        private func fail(_ reason: String) -> Never {
            FileHandle.standardError.write(Data("invalid: \(reason)\n".utf8))
            Foundation.exit(1)
        }

        private func fileSHA256(_ path: String) throws -> String {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var hasher = SHA256()
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Make a new signing key for receipts; earlier public keys stay listed so old receipts still verify.")

        @Option(help: "The server's data directory (BACKUPFEED_DATA_DIR).")
        var dataDir = EnvironmentDefaults.string("BACKUPFEED_DATA_DIR", "./feed-data")

        func run() async throws {
            let (id, key) = try ReceiptKeyring(dataDirectory: URL(fileURLWithPath: dataDir)).rotate()
            print("new receipt signing key \(id)")
            print(ReceiptKeyring.pem(key.publicKey), terminator: "")
        }
    }
}
