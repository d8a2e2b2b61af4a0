import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Clients that percent-encode path segments (most HTTP libraries encode `+`) reach the same version; what the
/// decoding yields is validated like any other ID or version.
@Suite struct PercentEncodedPathTests {
    @Test func encodedSegmentsAreDecodedThenValidated() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let push = try await client.execute(
                uri: "/api/packages/App/1.2.3-rc.1+build.5?extension=zip", method: .put, headers: .key(feed.pushKey),
                body: ByteBuffer(bytes: [0x50, 0x4B, 0x03, 0x04, 1, 2, 3]))
            #expect(push.status == .created, "\(push.text)")
            let encoded = try await client.execute(uri: "/api/packages/%41pp/1.2.3-rc.1%2Bbuild.5", method: .get)
            #expect(encoded.status == .ok, "\(encoded.text)")
            #expect(encoded.text.contains("1.2.3-rc.1+build.5"))
            let download = try await client.execute(uri: "/api/packages/App/1.2.3-rc.1%2Bbuild.5/download", method: .get, headers: .key(feed.readKey))
            #expect(download.status == .ok)

            for bad in ["/api/packages/A%2Fb/1.0.0", "/api/packages/App/1.0%2F..%2F..", "/api/packages/App%00/1.0.0", "/api/packages/App/%ZZ"] {
                let response = try await client.execute(uri: bad, method: .get)
                #expect(response.status == .badRequest, "\(bad): \(response.status) \(response.text)")
            }
        }
    }
}
