import Crypto
import Foundation

/// `X-BackupFeed-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body with the webhook's secret, so that a
/// receiver can tell the feed sent it and nothing changed it on the way.
enum WebhookSignature {
    static let headerName = "X-BackupFeed-Signature"

    static func header(secret: String, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
