import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The Ed25519 keys that sign restore receipts, kept in `DATA/receipt-keys`: `<keyid>.key` (the private key,
/// mode 0600, never served), `<keyid>.pub` (its public half) and `current` (the key id that signs now).
/// Rotating makes a new current key and keeps the old public keys listed, so old receipts still verify.
public struct ReceiptKeyring: Sendable {
    public struct PublicKeyInfo: Codable, Sendable, Equatable {
        public var keyid: String
        public var algorithm: String
        /// SubjectPublicKeyInfo in PEM, as `openssl pkeyutl -pubin` reads it.
        public var publicKeyPem: String
        /// The raw 32-byte key, base64.
        public var publicKeyRaw: String
        public var createdAt: Date
        public var current: Bool
    }

    public let directory: URL

    public init(dataDirectory: URL) {
        directory = dataDirectory.appendingPathComponent("receipt-keys", isDirectory: true)
    }

    /// The key that signs now, created on first use.
    public func currentKey() throws -> (id: String, key: Curve25519.Signing.PrivateKey) {
        if let id = try? String(contentsOf: directory.appendingPathComponent("current"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty,
            let raw = FileManager.default.contents(atPath: directory.appendingPathComponent("\(id).key").path) {
            return (id, try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        }
        return try rotate()
    }

    /// Makes a new signing key and makes it current; earlier public keys stay listed.
    @discardableResult
    public func rotate() throws -> (id: String, key: Curve25519.Signing.PrivateKey) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = Curve25519.Signing.PrivateKey()
        let id = Self.keyId(of: key.publicKey)
        let privatePath = directory.appendingPathComponent("\(id).key").path
        // Created with mode 0600 from the start: the private key is never readable by anyone else, not even briefly.
        let fd = open(privatePath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: privatePath]) }
        let raw = Array(key.rawRepresentation)
        let written = raw.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == raw.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: privatePath]) }
        try key.publicKey.rawRepresentation.write(to: directory.appendingPathComponent("\(id).pub"))
        try Data((id + "\n").utf8).write(to: directory.appendingPathComponent("current"), options: .atomic)
        return (id, key)
    }

    /// Every public key that ever signed here, the current one marked.
    public func publicKeys() throws -> [PublicKeyInfo] {
        let current = try currentKey().id
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".pub") }.compactMap { name -> PublicKeyInfo? in
            let path = directory.appendingPathComponent(name).path
            guard let raw = FileManager.default.contents(atPath: path),
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return nil }
            let created = (try? FileManager.default.attributesOfItem(atPath: path)[.creationDate] as? Date)
                ?? (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
            let id = String(name.dropLast(4))
            return PublicKeyInfo(
                keyid: id, algorithm: "ed25519", publicKeyPem: Self.pem(key), publicKeyRaw: raw.base64EncodedString(),
                createdAt: created, current: id == current)
        }.sorted { ($0.current ? 0 : 1, $0.createdAt) < ($1.current ? 0 : 1, $1.createdAt) }
    }

    /// The first 16 hex digits of the SHA-256 of the raw public key.
    public static func keyId(of key: Curve25519.Signing.PublicKey) -> String {
        SHA256.hash(data: key.rawRepresentation).map { String(format: "%02x", $0) }.joined().prefix(16).description
    }

    /// An Ed25519 SubjectPublicKeyInfo (RFC 8410) in PEM.
    public static func pem(_ key: Curve25519.Signing.PublicKey) -> String {
        let der = Data([0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]) + key.rawRepresentation
        return "-----BEGIN PUBLIC KEY-----\n\(der.base64EncodedString())\n-----END PUBLIC KEY-----\n"
    }

    /// Reads a public key from PEM (SubjectPublicKeyInfo), or raw base64 / 32 raw bytes.
    public static func publicKey(from data: Data) throws -> Curve25519.Signing.PublicKey {
        let text = String(decoding: data, as: UTF8.self)
        if text.contains("BEGIN PUBLIC KEY") {
            let body = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
            guard let der = Data(base64Encoded: body), der.count == 44 else { throw CryptoKitError.incorrectKeySize }
            return try Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32))
        }
        if data.count == 32 { return try Curve25519.Signing.PublicKey(rawRepresentation: data) }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw CryptoKitError.incorrectKeySize }
        return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }
}
