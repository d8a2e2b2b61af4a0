/// Errors of the feed that the client can act on; the server maps each to one HTTP status in one place.
public enum FeedError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidIdentity(IdentityError)
    case packageNotFound(String)
    case versionNotFound(String, String)
    case noVerifiedVersion(String)
    case versionExists(String, String)
    case checksumMismatch(expected: String, actual: String)
    case tooLarge(limit: Int64)
    case badRequest(String)
    case jobNotFound(Int64)

    public var description: String {
        switch self {
        case .invalidIdentity(let error): error.description
        case .packageNotFound(let id): "package \(id) not found"
        case .versionNotFound(let id, let version): "version \(version) of package \(id) not found"
        case .noVerifiedVersion(let id): "package \(id) has no version whose latest verification passed"
        case .versionExists(let id, let version):
            "version \(version) of package \(id) already exists with different content; "
                + "push with overwriteMode=OverwriteExisting to replace it or IgnoreIfExists to keep it"
        case .checksumMismatch(let expected, let actual):
            "X-Checksum-Sha256 is \(expected) but the received content hashes to \(actual); nothing was stored"
        case .tooLarge(let limit): "upload exceeds the maximum size of \(limit) bytes; nothing was stored"
        case .badRequest(let message): message
        case .jobNotFound(let id): "verification \(id) not found"
        }
    }
}
