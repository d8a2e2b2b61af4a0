import Crypto
import Foundation

/// A Dead Simple Signing Envelope (DSSE v1): the payload, its type, and signatures over the
/// pre-authentication encoding of both, so a signature cannot be moved to another payload type.
public struct DSSEEnvelope: Codable, Sendable, Equatable {
    public struct Signature: Codable, Sendable, Equatable {
        public var keyid: String
        /// Base64 of the raw Ed25519 signature (64 bytes).
        public var sig: String
    }

    public var payloadType: String
    /// Base64 of the payload bytes.
    public var payload: String
    public var signatures: [Signature]

    public static let inTotoPayloadType = "application/vnd.in-toto+json"

    /// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimals of byte counts.
    public static func preAuthenticationEncoding(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        return Array("DSSEv1 \(type.count) ".utf8) + type + Array(" \(payload.count) ".utf8) + payload
    }

    public static func sign(payload: [UInt8], payloadType: String, key: Curve25519.Signing.PrivateKey, keyId: String) throws -> DSSEEnvelope {
        let signature = try key.signature(for: preAuthenticationEncoding(payloadType: payloadType, payload: payload))
        return DSSEEnvelope(
            payloadType: payloadType, payload: Data(payload).base64EncodedString(),
            signatures: [Signature(keyid: keyId, sig: Data(signature).base64EncodedString())])
    }

    /// The decoded payload, or nil when it is not base64.
    public var payloadBytes: [UInt8]? { Data(base64Encoded: payload).map(Array.init) }

    /// True when a signature by `key` covers this envelope's payload and type.
    public func isSigned(by key: Curve25519.Signing.PublicKey) -> Bool {
        guard let body = payloadBytes else { return false }
        let message = Self.preAuthenticationEncoding(payloadType: payloadType, payload: body)
        return signatures.contains { signature in
            guard let raw = Data(base64Encoded: signature.sig) else { return false }
            return key.isValidSignature(raw, for: message)
        }
    }
}
