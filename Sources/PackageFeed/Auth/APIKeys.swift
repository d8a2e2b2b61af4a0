import Crypto
import Foundation

/// What a key may do; each scope includes the ones below it (admin ⊃ push ⊃ read).
public enum KeyScope: String, Sendable, Codable, CaseIterable, Comparable {
    case read, push, admin

    private var rank: Int {
        switch self {
        case .read: 0
        case .push: 1
        case .admin: 2
        }
    }

    public static func < (lhs: KeyScope, rhs: KeyScope) -> Bool { lhs.rank < rhs.rank }

    /// True when a key of this scope may do what `required` needs.
    public func allows(_ required: KeyScope) -> Bool { self >= required }
}

/// A key that was just made: the only moment its secret exists outside the client.
public struct IssuedKey: Sendable {
    public let secret: String
    public let record: APIKeyRecord
}

/// Creates, checks and revokes API keys. Only the SHA-256 of a key is stored.
public struct APIKeys: Sendable {
    let catalog: Catalog

    public init(catalog: Catalog) { self.catalog = catalog }

    /// Makes a new random key (`API-` and 32 characters, Octopus style).
    public func create(name: String, scope: KeyScope) async throws -> IssuedKey {
        try await install(secret: Self.generateSecret(), name: name, scope: scope)
    }

    /// Stores a key chosen by the operator (`BACKUPFEED_ADMIN_KEY`).
    public func install(secret: String, name: String, scope: KeyScope) async throws -> IssuedKey {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 100, !trimmed.contains(where: { $0.isNewline }) else {
            throw FeedError.badRequest("key name must be 1 to 100 characters on one line")
        }
        guard secret.count >= 16 else { throw FeedError.badRequest("an API key must be at least 16 characters") }
        let record = APIKeyRecord(id: nil, name: trimmed, scope: scope.rawValue, keyHash: Self.hash(secret), createdAt: Date())
        return IssuedKey(secret: secret, record: try await catalog.insertKey(record))
    }

    /// The key's record when the secret is known, and notes its use; nil for an unknown key.
    public func authenticate(_ secret: String) async throws -> APIKeyRecord? {
        guard let record = try await catalog.key(hash: Self.hash(secret)) else { return nil }
        let now = Date()
        // Writing on every request would serialise reads behind the writer: once a minute is enough to show use.
        if record.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true, let id = record.id {
            try? await catalog.touchKey(id: id, at: now)
        }
        return record
    }

    public func list() async throws -> [APIKeyRecord] { try await catalog.keys() }
    public func count() async throws -> Int { try await catalog.keyCount() }
    public func revoke(name: String) async throws -> Bool { try await catalog.revokeKey(name: name) }

    static func hash(_ secret: String) -> String {
        Array(SHA256.hash(data: Data(secret.utf8))).hexString
    }

    static func generateSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var generator = SystemRandomNumberGenerator()
        return "API-" + String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }
}
