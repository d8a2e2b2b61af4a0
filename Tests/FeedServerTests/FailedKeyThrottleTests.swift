@testable import FeedServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Wrong keys per client address: 429 with Retry-After past the burst, a refill over time, other addresses never
/// affected, a bounded table, and no key in the log.
@Suite struct FailedKeyThrottleTests {
    static let wrongKeys = ["API-NOTAKEY000000000000", "API-", "x", String(repeating: "A", count: 500), "API-TESTADMINKEY000000000000000000 "]

    @Test func pastTheBurstAnAddressGets429WithRetryAfterEvenForACorrectKey() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        var configuration = feed.configuration
        configuration.failedKeyThrottle = FailedKeyThrottlePolicy(burst: 3, refill: .seconds(60))
        try await buildApplication(configuration).test(.router) { client in
            // Wrong keys of every shape, in both headers, on different routes: all count.
            let attempts: [(String, HTTPFields)] = [
                ("/api/packages", .key(Self.wrongKeys[0])),
                ("/api/webhooks", [.authorization: "Bearer \(Self.wrongKeys[1])"]),
                ("/metrics", .key(Self.wrongKeys[3])),
            ]
            for (uri, headers) in attempts {
                #expect(try await client.execute(uri: uri, method: .get, headers: headers).status == .unauthorized, "\(uri)")
            }
            let throttled = try await client.execute(uri: "/api/packages", method: .get, headers: .key(Self.wrongKeys[4]))
            #expect(throttled.status == .tooManyRequests, "\(throttled.text)")
            let retryAfter = try #require(throttled.headers[.retryAfter].flatMap(Int.init), "\(throttled.headers)")
            #expect((1...60).contains(retryAfter))
            #expect(try throttled.json()["error"] as? String != nil, "a JSON error body like every other")
            // Octopus routes answer in their own error shape, with the same status.
            let octopus = try await client.execute(uri: "/api/packages/packages-Db.1.0/raw", method: .get, headers: .key(Self.wrongKeys[0]))
            #expect(octopus.status == .tooManyRequests)
            #expect(try octopus.json()["ErrorMessage"] != nil)
            // The correct key from the same address waits too: were it checked, guessing would go on at full speed.
            #expect(try await client.execute(uri: "/api/packages", method: .get, headers: .key(feed.readKey)).status == .tooManyRequests)
            // Requests without a key are not throttled: they guess nothing.
            #expect(try await client.execute(uri: "/api/packages", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }

    @Test func correctKeysAreNotCountedAndDoNotResetTheBucket() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        var configuration = feed.configuration
        configuration.failedKeyThrottle = FailedKeyThrottlePolicy(burst: 2, refill: .seconds(60))
        try await buildApplication(configuration).test(.router) { (client) async throws in
            for _ in 0..<20 {
                #expect(try await client.execute(uri: "/api/packages", method: .get, headers: .key(feed.readKey)).status == .ok)
            }
            #expect(try await client.execute(uri: "/api/packages", method: .get, headers: .key("API-WRONG1")).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/packages", method: .get, headers: .key(feed.readKey)).status == .ok)
            #expect(try await client.execute(uri: "/api/packages", method: .get, headers: .key("API-WRONG2")).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/packages", method: .get, headers: .key("API-WRONG3")).status == .tooManyRequests)
        }
    }

    @Test func burstZeroTurnsThrottlingOff() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        var configuration = feed.configuration
        configuration.failedKeyThrottle = FailedKeyThrottlePolicy(burst: 0)
        try await buildApplication(configuration).test(.router) { (client) async throws in
            for index in 0..<30 {
                #expect(try await client.execute(uri: "/api/packages", method: .get, headers: .key("API-WRONG\(index)")).status == .unauthorized)
            }
        }
    }

    @Test func otherAddressesBehindTheLocalProxyAreNotThrottled() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        var configuration = feed.configuration
        configuration.failedKeyThrottle = FailedKeyThrottlePolicy(burst: 2, refill: .seconds(60))
        try await buildApplication(configuration).test(.live) { (client) async throws in
            let url = "http://127.0.0.1:\(client.port!)/api/packages"
            func status(key: String, forwardedFor: String?) async throws -> Int {
                var arguments = ["-H", "X-Octopus-ApiKey: \(key)", url]
                if let forwardedFor { arguments += ["-H", "X-Forwarded-For: \(forwardedFor)"] }
                return try await Curl.run(arguments).status
            }
            // A reverse proxy on this host appends the client's address; the last entry is the one it wrote.
            for _ in 0..<2 { #expect(try await status(key: "API-WRONG", forwardedFor: "198.51.100.1, 203.0.113.9") == 401) }
            #expect(try await status(key: "API-WRONG", forwardedFor: "203.0.113.9") == 429)
            #expect(try await status(key: feed.readKey, forwardedFor: "203.0.113.9") == 429)
            // Another client of the proxy, and the proxy's own address, are not affected.
            #expect(try await status(key: feed.readKey, forwardedFor: "203.0.113.10") == 200)
            #expect(try await status(key: feed.readKey, forwardedFor: "198.51.100.1, 203.0.113.10") == 200)
            #expect(try await status(key: feed.readKey, forwardedFor: nil) == 200)
            // A forged first entry does not move a throttled client elsewhere.
            #expect(try await status(key: "API-WRONG", forwardedFor: "192.0.2.77, 203.0.113.9") == 429)
        }
    }

    @Test func forwardedForIsIgnoredFromPeersThatAreNoLocalProxy() throws {
        let remote = try SocketAddress(ipAddress: "198.51.100.20", port: 5000)
        #expect(ClientAddress().key(peer: remote, forwardedFor: "203.0.113.9") == "198.51.100.20")
        let local = try SocketAddress(ipAddress: "127.0.0.1", port: 5000)
        #expect(ClientAddress().key(peer: local, forwardedFor: "203.0.113.9") == "203.0.113.9")
        #expect(ClientAddress().key(peer: local, forwardedFor: "not an address") == "127.0.0.1")
        // A proxy elsewhere (Docker's bridge) is believed only when listed.
        let bridge = try SocketAddress(ipAddress: "172.17.0.1", port: 5000)
        #expect(ClientAddress().key(peer: bridge, forwardedFor: "203.0.113.9") == "172.17.0.1")
        let docker = ClientAddress(trustedProxies: [try #require(AddressRange("172.16.0.0/12"))])
        #expect(docker.key(peer: bridge, forwardedFor: "203.0.113.9") == "203.0.113.9")
        #expect(docker.key(peer: try SocketAddress(ipAddress: "172.32.0.1", port: 1), forwardedFor: "203.0.113.9") == "172.32.0.1")
        #expect(AddressRange("10.0.0.0/33") == nil && AddressRange("no") == nil && AddressRange("::1/129") == nil)
        // IPv6 clients count per /64; IPv4-mapped ones as IPv4.
        let a = try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1), b = try SocketAddress(ipAddress: "2001:db8:1:2:ffff::9", port: 1)
        #expect(ClientAddress.key(a) == ClientAddress.key(b))
        #expect(ClientAddress.key(a) != ClientAddress.key(try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1)))
        #expect(ClientAddress.key(try SocketAddress(ipAddress: "::ffff:192.0.2.1", port: 1)) == "192.0.2.1")
    }

    @Test func bucketsRefillOverTimeAndOtherAddressesAreIndependent() {
        let throttle = FailedKeyThrottle(policy: .init(burst: 2, refill: .seconds(10)))
        let start = ContinuousClock.now
        throttle.recordFailure(from: "a", now: start)
        throttle.recordFailure(from: "a", now: start)
        #expect(throttle.retryAfter(for: "a", now: start) == 10)
        #expect(throttle.retryAfter(for: "b", now: start) == nil)
        #expect(throttle.retryAfter(for: "a", now: start + .seconds(4)) == 6)
        #expect(throttle.retryAfter(for: "a", now: start + .seconds(10)) == nil, "one more after one interval")
        throttle.recordFailure(from: "a", now: start + .seconds(10))
        #expect(throttle.retryAfter(for: "a", now: start + .seconds(10)) == 10, "and only one")
    }

    @Test func theTableStaysWithinItsCapUnderASprayOfAddresses() {
        let throttle = FailedKeyThrottle(policy: .init(burst: 3, refill: .seconds(60), maxAddresses: 100))
        let start = ContinuousClock.now
        // The attacker's own address, spent first.
        for _ in 0..<3 { throttle.recordFailure(from: "attacker", now: start) }
        for index in 0..<5000 {
            throttle.recordFailure(from: "10.0.\(index / 256).\(index % 256)", now: start + .milliseconds(index))
            #expect(throttle.trackedAddresses <= 100)
        }
        #expect(throttle.trackedAddresses <= 100)
        // Refilled buckets are dropped before anything else.
        let later = start + .seconds(3600)
        throttle.recordFailure(from: "newcomer", now: later)
        #expect(throttle.trackedAddresses == 1)
    }
}
