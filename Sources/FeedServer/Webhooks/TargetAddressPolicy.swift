import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Which addresses webhook deliveries may reach. An admin key is enough to register a webhook, and the feed runs next
/// to databases, cloud metadata services (169.254.169.254 hands out instance credentials) and admin interfaces on
/// loopback or the private network: without this, a webhook is a way to make the feed send requests there (SSRF).
/// Loopback, link-local, private, unique-local, unspecified and multicast addresses, and IPv4 ones written as IPv6,
/// are refused unless `serve --allow-private-targets` (for receivers on the same host or LAN, and tests).
///
/// A hostname is checked twice: its literal form when the webhook is registered, and every address it resolves to
/// at each delivery; the delivery then connects to the address that was checked, so that a name answering a public
/// address to the check and 127.0.0.1 to the connection (DNS rebinding) gets nowhere.
struct TargetAddressPolicy: Sendable {
    let allowPrivateTargets: Bool

    /// Why the target may not be used, or nil. `host` is a URL's host: a name, an IPv4 literal or a bracketed IPv6 one.
    func refusal(host: String) -> String? {
        guard !allowPrivateTargets else { return nil }
        var bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        // `localhost.` and `127.0.0.1.` are the same targets written as absolute names.
        while bare.hasSuffix(".") { bare.removeLast() }
        let lowered = bare.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") || lowered.hasSuffix(".local") {
            return "\(host) is a local name"
        }
        if let address = Self.parseAddress(bare), let range = Self.forbiddenRange(address) {
            return "\(host) is \(range)"
        }
        return nil
    }

    /// Why a resolved address may not be connected to, or nil.
    func refusal(address: SocketAddress) -> String? {
        guard !allowPrivateTargets, let text = address.ipAddress else { return nil }
        guard let bytes = Self.parseAddress(text) else { return "\(text) is not an IP address" }
        return Self.forbiddenRange(bytes).map { "\(text) is \($0)" }
    }

    /// An address as 4 (IPv4) or 16 (IPv6) bytes; nil for a name. IPv4 is read as `inet_aton` reads it, so that the
    /// shortened, decimal, octal and hex forms the resolver also accepts (`127.1`, `2130706433`, `0x7f.1`) are
    /// recognised for what they reach.
    static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_aton(text, &v4) != 0 {
            return withUnsafeBytes(of: v4) { Array($0) }
        }
        var v6 = in6_addr()
        // A zone (`fe80::1%eth0`) is link-local by definition; inet_pton does not take it.
        let withoutZone = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        if inet_pton(AF_INET6, withoutZone, &v6) == 1 {
            return withUnsafeBytes(of: v6) { Array($0) }
        }
        return nil
    }

    /// The name of the forbidden range `bytes` falls in, or nil for a public address.
    static func forbiddenRange(_ bytes: [UInt8]) -> String? {
        if bytes.count == 4 { return forbiddenIPv4(bytes) }
        guard bytes.count == 16 else { return "not an IP address" }
        let prefixZero = bytes[0..<10].allSatisfy { $0 == 0 }
        // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) forms reach the IPv4 address.
        if prefixZero, bytes[10] == 0xFF, bytes[11] == 0xFF { return forbiddenIPv4(Array(bytes[12..<16])).map { "IPv4-mapped \($0)" } }
        if bytes.allSatisfy({ $0 == 0 }) { return "the unspecified address" }
        if bytes[0..<15].allSatisfy({ $0 == 0 }), bytes[15] == 1 { return "loopback" }
        if prefixZero, bytes[10] == 0, bytes[11] == 0 { return forbiddenIPv4(Array(bytes[12..<16])).map { "IPv4-compatible \($0)" } }
        // NAT64 (64:ff9b::/96) reaches the IPv4 address embedded at the end.
        if bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] {
            return forbiddenIPv4(Array(bytes[12..<16])).map { "NAT64 \($0)" }
        }
        if bytes[0] & 0xFE == 0xFC { return "unique-local (fc00::/7)" }
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 { return "link-local (fe80::/10)" }
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0xC0 { return "site-local (fec0::/10)" }
        if bytes[0] == 0xFF { return "multicast" }
        return nil
    }

    private static func forbiddenIPv4(_ b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (0, _): return "in 0.0.0.0/8 (this host)"
        case (127, _): return "loopback (127.0.0.0/8)"
        case (10, _): return "private (10.0.0.0/8)"
        case (172, 16...31): return "private (172.16.0.0/12)"
        case (192, 168): return "private (192.168.0.0/16)"
        case (169, 254): return "link-local (169.254.0.0/16, cloud metadata)"
        case (100, 64...127): return "shared address space (100.64.0.0/10)"
        case (192, 0) where b[2] == 0: return "IETF protocol assignments (192.0.0.0/24)"
        case (198, 18...19): return "benchmarking (198.18.0.0/15)"
        case (224...255, _): return "multicast or reserved (224.0.0.0/3)"
        default: return nil
        }
    }

    /// Every address `host` resolves to (an IP literal resolves to itself), through the system resolver.
    static func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return try await withCheckedThrowingContinuation { continuation in
            // getaddrinfo blocks; a webhook delivery is rare enough for a thread of its own.
            Thread.detachNewThread {
                continuation.resume(with: Result { try resolveBlocking(host: bare, port: port) })
            }
        }
    }

    private static func resolveBlocking(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw TargetRefused(reason: "\(host) does not resolve (\(String(cString: gai_strerror(status))))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    addresses.append(address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) })
                case AF_INET6:
                    addresses.append(address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) })
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw TargetRefused(reason: "\(host) resolves to no address") }
        return addresses
    }
}

/// A webhook target that may not be reached; the delivery fails with this reason, naming no URL path.
struct TargetRefused: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

extension TargetAddressPolicy {
    /// Resolves the host of `url` the way AsyncHTTPClient reads it, refuses it when any of its addresses is forbidden
    /// (a name with one public and one private address is treated as private: which one a connection gets is the
    /// resolver's choice), and returns the `dnsOverride` that pins the connection to the address checked. Empty when
    /// private targets are allowed, or the host is an IP literal the client connects to as it is.
    func pinnedDNSOverride(for url: String) async throws -> [String: String] {
        guard !allowPrivateTargets else { return [:] }
        guard let parsed = URL(string: url), let rawHost = parsed.host, !rawHost.isEmpty else {
            throw TargetRefused(reason: "the webhook URL has no host")
        }
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        if let refusal = refusal(host: host) { throw TargetRefused(reason: refusal) }
        let port = parsed.port ?? (parsed.scheme?.lowercased() == "https" ? 443 : 80)
        let addresses = try await Self.resolve(host: host, port: port)
        for address in addresses {
            if let refusal = refusal(address: address) { throw TargetRefused(reason: "\(host) resolves to \(refusal)") }
        }
        // A canonical IP literal is connected to as it is; anything else (a name, `127.1`) goes to what was checked.
        if (try? SocketAddress(ipAddress: host, port: port)) != nil { return [:] }
        guard let pinned = addresses.first?.ipAddress else { throw TargetRefused(reason: "\(host) resolves to no address") }
        return [host: pinned]
    }
}
