/// One secret key the feed holds to open encrypted backups: an age X25519 identity or an OpenPGP secret key.
/// It reaches the tools (`age`, `gpg`) only through files of mode 0600 in a 0700 directory outside every sandbox,
/// removed when the run is done; it is never logged and never part of a report (only its `name` is).
public struct DecryptionIdentity: Sendable, Equatable {
    public var name: String
    public var kind: Encryption
    /// The key material: an age identity file's `AGE-SECRET-KEY-1…` lines, or an armored OpenPGP secret key.
    public var secret: String
    /// What it opens: age recipients (`age1…`), or OpenPGP fingerprints (primary key first, then subkeys).
    public var recipients: [String]

    public init(name: String, kind: Encryption, secret: String, recipients: [String]) {
        self.name = name
        self.kind = kind
        self.secret = secret
        self.recipients = recipients
    }
}

/// The identities a verification may use, in the order they are tried.
public struct DecryptionKeyring: Sendable, Equatable {
    public var identities: [DecryptionIdentity]

    public init(_ identities: [DecryptionIdentity] = []) {
        self.identities = identities
    }

    public static let empty = DecryptionKeyring()

    func identities(of kind: Encryption) -> [DecryptionIdentity] {
        identities.filter { $0.kind == kind }
    }
}
