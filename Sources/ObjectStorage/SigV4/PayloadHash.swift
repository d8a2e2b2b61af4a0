import Crypto

/// What a request's signature says about its body: its SHA-256, or that it is not signed (S3 over TLS, or a
/// streamed body whose hash is not known before it is sent).
public enum PayloadHash: Sendable, Equatable {
    case sha256(hex: String)
    case unsigned

    public static let empty = PayloadHash.of([])

    public static func of(_ bytes: some Sequence<UInt8>) -> PayloadHash {
        .sha256(hex: SHA256.hash(data: Array(bytes)).hexString)
    }

    /// The value of the canonical request's last line and of `x-amz-content-sha256`.
    public var headerValue: String {
        switch self {
        case .sha256(let hex): hex
        case .unsigned: "UNSIGNED-PAYLOAD"
        }
    }
}
