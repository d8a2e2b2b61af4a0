/// Encryption a backup script may add (`| age -r …`, `| gpg -e -r …`), recognised by content, never by the name.
/// The raw value is the report's layer name.
public enum Encryption: String, Sendable, Codable, CaseIterable {
    case age, openpgp

    /// The encryption the first bytes of a stream announce, if any.
    static func detect(_ head: [UInt8]) -> Encryption? {
        if head.starts(with: Array("age-encryption.org/v1\n".utf8)) { return .age }
        if head.starts(with: Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8)) { return .age }
        if head.starts(with: Array("-----BEGIN PGP MESSAGE-----".utf8)) { return .openpgp }
        if isOpenPGPMessage(head) { return .openpgp }
        return nil
    }

    /// Words for messages: "age", "OpenPGP (gpg)".
    var displayName: String {
        switch self {
        case .age: "age"
        case .openpgp: "OpenPGP (gpg)"
        }
    }

    /// What decrypting a whole stream proves, for the integrity check's detail.
    var verified: String {
        switch self {
        case .age: "every 64 KiB payload chunk authenticated"
        case .openpgp: "modification detection code (MDC) verified"
        }
    }

    /// A binary OpenPGP message starts with a session-key packet: public-key (tag 1, version 3) or symmetric
    /// (tag 3, version 4 or 5), in the old or the new packet format.
    static func isOpenPGPMessage(_ head: [UInt8]) -> Bool {
        guard head.count >= 6, head[0] & 0x80 != 0 else { return false }
        let tag: UInt8
        let lengthBytes: Int
        if head[0] & 0x40 != 0 {
            tag = head[0] & 0x3F
            lengthBytes = head[1] < 192 ? 1 : head[1] < 224 ? 2 : head[1] == 255 ? 5 : 0
        } else {
            tag = (head[0] >> 2) & 0x0F
            lengthBytes = [1, 2, 4, 0][Int(head[0] & 3)]
        }
        guard lengthBytes > 0, 1 + lengthBytes < head.count else { return false }
        let version = head[1 + lengthBytes]
        return (tag == 1 && version == 3) || (tag == 3 && (version == 4 || version == 5))
    }
}
