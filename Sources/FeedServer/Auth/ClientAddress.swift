import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Who a request comes from, for counting wrong keys per client.
///
/// Behind a reverse proxy every request arrives from the proxy, and counting per peer would make one client's
/// wrong keys throttle everybody. From a trusted proxy (`--trusted-proxies`, loopback by default: a proxy on the same
/// host) the client is the last `X-Forwarded-For` entry, the one the proxy itself appended; entries before it are
/// whatever the client wrote and are ignored, and so is the header from any other peer.
struct ClientAddress: Sendable {
    let trustedProxies: [AddressRange]

    init(trustedProxies: [AddressRange] = AddressRange.loopback) {
        self.trustedProxies = trustedProxies
    }

    func key(peer: SocketAddress?, forwardedFor: String?) -> String {
        if let ip = peer?.ipAddress, let bytes = TargetAddressPolicy.parseAddress(ip), trustedProxies.contains(where: { $0.contains(bytes) }),
            let last = forwardedFor?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
            let forwarded = try? SocketAddress(ipAddress: last, port: 0)
        {
            return Self.key(forwarded)
        }
        return Self.key(peer)
    }

    /// The bucket key of a peer: its IPv4 address, or the /64 of its IPv6 address (IPv4-mapped ones as IPv4).
    static func key(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        switch address {
        case .v4:
            return address.ipAddress ?? "unknown"
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                return bytes[12..<16].map(String.init).joined(separator: ".")
            }
            return stride(from: 0, to: 8, by: 2).map { String(format: "%02x%02x", bytes[$0], bytes[$0 + 1]) }.joined(separator: ":") + "::/64"
        case .unixDomainSocket:
            return "unix"
        }
    }
}

/// An address block like `172.16.0.0/12` or `::1/128` (a bare address is a block of one).
public struct AddressRange: Sendable, Equatable {
    let network: [UInt8]
    let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = parts.first, let bytes = TargetAddressPolicy.parseAddress(first) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let length, (0...(bytes.count * 8)).contains(length) else { return nil }
        network = bytes
        prefixLength = length
    }

    public static let loopback = [AddressRange("127.0.0.0/8")!, AddressRange("::1/128")!, AddressRange("::ffff:127.0.0.0/104")!]

    func contains(_ address: [UInt8]) -> Bool {
        guard address.count == network.count else { return false }
        var remaining = prefixLength
        for (a, n) in zip(address, network) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if a & mask != n & mask { return false }
            remaining -= bits
        }
        return true
    }
}
