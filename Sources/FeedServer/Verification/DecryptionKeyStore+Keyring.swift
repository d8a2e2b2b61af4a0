import BackupVerifier
import Foundation
import Logging
import PackageFeed

extension DecryptionKeyStore {
    /// The stored keys as the verifier takes them. A key file that cannot be read is left out and named in the
    /// log (its name only), so that one damaged file does not stop the others from opening backups.
    func keyring(logger: Logger) -> DecryptionKeyring {
        for file in unreadable() {
            logger.warning("decryption key file cannot be read; skipped", metadata: ["file": "\(directory.appendingPathComponent(file).path)"])
        }
        let keys = (try? all()) ?? []
        return DecryptionKeyring(keys.compactMap { key in
            Encryption(rawValue: key.kind).map { DecryptionIdentity(name: key.name, kind: $0, secret: key.secret, recipients: key.recipients) }
        })
    }
}
