import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One stored decryption identity: the secret, and what may be shown of it (name, kind, recipients, dates).
public struct StoredDecryptionKey: Codable, Sendable, Equatable {
    public var name: String
    /// `age` or `openpgp`.
    public var kind: String
    /// The key material; only the verifier reads it. Never logged, never in an API answer.
    public var secret: String
    /// age recipients (`age1…`) or OpenPGP fingerprints.
    public var recipients: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, kind: String, secret: String, recipients: [String], createdAt: Date, updatedAt: Date) {
        self.name = name
        self.kind = kind
        self.secret = secret
        self.recipients = recipients
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The decryption identities, one file each: `DATA/decryption-keys/NAME.json`, mode 0600 in a 0700 directory, so
/// only the server's own user reads them; no sandbox mounts the data directory. The command line manages the same
/// files while the server runs (each verification reads them afresh).
public struct DecryptionKeyStore: Sendable {
    public let directory: URL

    public init(dataDirectory: URL) {
        directory = dataDirectory.appendingPathComponent("decryption-keys", isDirectory: true)
    }

    /// Names start with a letter or digit and hold letters, digits, `.`, `_` and `-` (at most 64): they are file names.
    public static func validate(name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard (1...64).contains(name.count), name.allSatisfy({ allowed.contains($0) }), let first = name.first, first.isLetter || first.isNumber
        else {
            throw FeedError.badRequest(
                "invalid key name '\(name.prefix(80))': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }

    /// Every stored key, by name. A file that is not a stored key (edited by hand, cut short) is left out rather
    /// than hiding the others; `unreadable()` names such files.
    public func all() throws -> [StoredDecryptionKey] {
        files().compactMap { file in try? Self.decode(directory.appendingPathComponent(file)) }
    }

    /// The files of the key directory that are not readable keys.
    public func unreadable() -> [String] {
        files().filter { (try? Self.decode(directory.appendingPathComponent($0))) == nil }
    }

    private func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    private static func decode(_ url: URL) throws -> StoredDecryptionKey {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(StoredDecryptionKey.self, from: Data(contentsOf: url))
    }

    public func get(name: String) throws -> StoredDecryptionKey? {
        try Self.validate(name: name)
        return try all().first { $0.name == name }
    }

    /// Stores `key` under its name (replacing one of the same name, whose creation date is kept); true when new.
    @discardableResult
    public func put(_ key: StoredDecryptionKey) throws -> Bool {
        try Self.validate(name: key.name)
        try makeDirectory()
        var key = key
        let existing = try get(name: key.name)
        if let existing { key.createdAt = existing.createdAt }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(key)
        // Written to a temporary file made 0600 from the start, then renamed: never a moment readable by others,
        // never a half-written key.
        let temporary = directory.appendingPathComponent(".\(key.name).\(UUID().uuidString).tmp")
        try Self.writePrivate(data, to: temporary)
        guard rename(temporary.path, file(key.name).path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot store the key: \(reason)"])
        }
        return existing == nil
    }

    /// Removes a key; false when there was none of that name.
    public func remove(name: String) throws -> Bool {
        try Self.validate(name: name)
        let url = file(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        try FileManager.default.removeItem(at: url)
        return true
    }

    private func file(_ name: String) -> URL { directory.appendingPathComponent("\(name).json") }

    private func makeDirectory() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // An older directory (or one made by hand) gets its mode put right.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
    }

    private static func writePrivate(_ data: Data, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot store the key: \(String(cString: strerror(errno)))"])
        }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot store the key: \(String(cString: strerror(errno)))"])
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot store the key: \(String(cString: strerror(errno)))"])
        }
    }
}
