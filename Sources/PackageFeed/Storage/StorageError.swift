/// Failures of the blob store: always ours, never the client's (HTTP 500 with a logged cause).
public enum StorageError: Error, Sendable, CustomStringConvertible {
    case io(String)

    public var description: String {
        switch self {
        case .io(let message): "storage: \(message)"
        }
    }
}
