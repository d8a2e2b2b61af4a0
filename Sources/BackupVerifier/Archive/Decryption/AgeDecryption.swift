import Foundation
import Subprocess

/// `age --decrypt` with each stored age identity in turn (age does not say which of several identities matched,
/// and the report names the one that did): a wrong identity fails on the header, before any plaintext.
enum AgeDecryption {
    static func open(
        _ source: CiphertextSource, head: [UInt8], keyring: DecryptionKeyring,
        plaintext: (UnsafeRawBufferPointer) async throws -> Void
    ) async throws -> (identity: String, outcome: ToolOutcome) {
        let header = AgeHeader(head)
        if header.stanzas.contains("scrypt") {
            throw ArchiveError.unsupported(
                "\(location(source))encrypted with an age passphrase (age -p): the feed verifies backups encrypted to a recipient; encrypt with age -r RECIPIENT and store the identity (PUT /api/decryption-keys/NAME)")
        }
        let identities = keyring.identities(of: .age)
        guard !identities.isEmpty else { throw noIdentity(source, header: header, tried: 0) }
        let age = try DecryptionTool.locate("age", package: "age")
        for identity in identities {
            let outcome = try await DecryptionWorkspace.with { workspace in
                let file = try workspace.writeSecret(identity.secret + "\n", named: "identity.txt")
                return try await DecryptionTool.run(
                    DecryptionTool.configuration(age, ["--decrypt", "--identity", file.path]), ciphertext: source, plaintext: plaintext)
            }
            if outcome.status.isSuccess { return (identity.name, outcome) }
            if outcome.plaintextBytes == 0, outcome.messages.contains("no identity matched any of the recipients") { continue }
            if outcome.plaintextBytes == 0, outcome.messages.contains("age: error: reading \"") {
                // The stored identity itself is unusable (edited by hand?): the verifier's fault, not the backup's.
                throw ArchiveError.unsupported(
                    "the stored age identity '\(identity.name)' cannot be read by age: store it again (PUT /api/decryption-keys/\(identity.name))")
            }
            throw failure(source, outcome)
        }
        throw noIdentity(source, header: header, tried: identities.count)
    }

    private static func location(_ source: CiphertextSource) -> String {
        source.route.innermostEntry.map { "\($0): " } ?? ""
    }

    static func noIdentity(_ source: CiphertextSource, header: AgeHeader, tried: Int) -> ArchiveError {
        let counts = Dictionary(grouping: header.stanzas, by: { $0 }).map { "\($0.value.count) \($0.key) recipient\($0.value.count == 1 ? "" : "s")" }.sorted()
        let recipients = counts.isEmpty ? "" : " (\(counts.joined(separator: ", ")))"
        let stored = tried == 0 ? "the feed holds no age identity" : "none of the \(tried) stored age identit\(tried == 1 ? "y" : "ies") opens it"
        return .unsupported(
            "\(location(source))age-encrypted\(recipients), and \(stored): add the identity whose recipient it was encrypted to (PUT /api/decryption-keys/NAME with the AGE-SECRET-KEY-1… line, or backupfeed decryption-keys add NAME FILE)")
    }

    /// age's own words, turned into a verdict: a damaged header or payload is a bad backup (`failed`).
    static func failure(_ source: CiphertextSource, _ outcome: ToolOutcome) -> ArchiveError {
        let where_ = location(source)
        let message = outcome.messages.split(separator: "\n").first { $0.hasPrefix("age: error:") }
            .map { String($0.dropFirst("age: error: ".count)) } ?? outcome.messages.trimmingCharacters(in: .whitespacesAndNewlines)
        if message.contains("failed to decrypt and authenticate payload chunk") {
            return .damagedLayer(
                "\(where_)age: the encrypted payload fails authentication after \(ByteFormat.string(outcome.plaintextBytes)) of plaintext: the ciphertext was modified or truncated after encryption")
        }
        if message.contains("header") || message.contains("EOF") {
            return .damagedLayer("\(where_)age: the header is damaged or cut short (\(message))")
        }
        return .damagedLayer("\(where_)age could not decrypt the file: \(message)")
    }
}

/// The recipient stanzas of an age header (`-> X25519 …`, `-> scrypt …`), as far as the first bytes hold them.
/// X25519 stanzas do not name their recipient, so this counts them by type.
struct AgeHeader {
    var stanzas: [String] = []

    init(_ head: [UInt8]) {
        guard head.starts(with: Array("age-encryption.org/v1\n".utf8)) else { return }
        for line in String(decoding: head, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("---") { break }
            if line.hasPrefix("-> "), let type = line.dropFirst(3).split(separator: " ").first {
                stanzas.append(String(type))
            }
        }
    }
}
