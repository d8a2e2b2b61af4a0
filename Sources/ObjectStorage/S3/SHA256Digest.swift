import Crypto
import Foundation

/// A SHA-256 in the two spellings S3 uses: hex in signatures, base64 in `x-amz-checksum-sha256`.
public struct SHA256Digest: Sendable, Equatable {
    public let bytes: [UInt8]

    public init(_ data: some Sequence<UInt8>) {
        bytes = Array(SHA256.hash(data: Array(data)))
    }

    public init(rawBuffer: UnsafeRawBufferPointer) {
        bytes = Array(SHA256.hash(data: rawBuffer))
    }

    public init(finalizing hasher: SHA256) {
        bytes = Array(hasher.finalize())
    }

    public var hex: String { bytes.hexString }
    public var base64: String { Data(bytes).base64EncodedString() }
}
