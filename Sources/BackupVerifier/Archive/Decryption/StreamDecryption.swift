import Foundation

/// The decryption layer: opens the encrypted stream at a route with the stored identities, through `age` or
/// `gpg`, and streams the plaintext into the next layer. Used by the integrity pass (which peels the plaintext
/// like any other stream) and by every later read of a route that goes through it (the restore).
enum StreamDecryption {
    /// Decrypts the stream at `route` of `file` into `sink` (finished on success). Returns the name of the
    /// identity that opened it and the plaintext size. Throws `ArchiveError.unsupported` (`error`) when no stored
    /// identity opens it, `ArchiveError.damagedLayer` (`failed`) when the ciphertext is modified or truncated.
    static func open(
        _ encryption: Encryption, file: URL, route: LayerRoute, head: [UInt8], keyring: DecryptionKeyring,
        limits: ArchiveLimits, budget: LayerBudget, into sink: any ByteSink
    ) async throws -> (identity: String, bytes: Int64) {
        let source = CiphertextSource(file: file, route: route, limits: limits, keyring: keyring)
        let layer = layerLocation(route) + encryption.rawValue
        let plaintext: (UnsafeRawBufferPointer) async throws -> Void = { chunk in
            // gpg may decompress (it compresses by default): its output counts against the limits like a decoder's.
            try budget.expand(chunk.count, layer: layer)
            try budget.checkDeadline()
            try await sink.write(chunk)
        }
        let opened: (identity: String, outcome: ToolOutcome)
        switch encryption {
        case .age: opened = try await AgeDecryption.open(source, head: head, keyring: keyring, plaintext: plaintext)
        case .openpgp: opened = try await OpenPGPDecryption.open(source, keyring: keyring, plaintext: plaintext)
        }
        if let downstream = opened.outcome.downstream { throw downstream }
        try await sink.finish()
        return (opened.identity, opened.outcome.plaintextBytes)
    }
}
