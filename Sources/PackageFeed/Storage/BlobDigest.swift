import Crypto

/// The identity of stored content: its SHA-256 (the address) plus the SHA-1 Octopus clients expect as `Hash`.
public struct BlobDigest: Sendable, Hashable, Codable {
    public let sha256: String
    public let sha1: String
    public let size: Int64

    public init(sha256: String, sha1: String, size: Int64) {
        self.sha256 = sha256
        self.sha1 = sha1
        self.size = size
    }

    /// True for 64 lowercase hex characters: the only form a blob address may take on disk.
    public static func isValidSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
