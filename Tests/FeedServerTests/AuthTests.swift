import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AuthTests {
    @Test func scopesGuardPushDownloadAndDelete() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/packages/Db/1.0", method: .put, body: ByteBuffer(string: "x"))
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.text.contains("push scope"))
            let reader = try await client.execute(uri: "/api/packages/Db/1.0", method: .put, headers: .key(feed.readKey), body: ByteBuffer(string: "x"))
            #expect(reader.status == .forbidden)
            let wrong = try await client.execute(uri: "/api/packages/Db/1.0", method: .put, headers: .key("API-NOTAKEY000000000000"), body: ByteBuffer(string: "x"))
            #expect(wrong.status == .unauthorized)
            let bearer = try await client.execute(
                uri: "/api/packages/Db/1.0", method: .put, headers: [.authorization: "Bearer \(feed.pushKey)"], body: ByteBuffer(string: "x"))
            #expect(bearer.status == .created)

            #expect(try await client.execute(uri: "/api/packages/Db/1.0/download", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/packages/Db/1.0/download", method: .get, headers: .key(feed.readKey)).status == .ok)
            #expect(try await client.execute(uri: "/api/packages/packages-Db.1.0/raw", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/packages/Db/1.0", method: .get).status == .ok, "metadata is public by default")
        }
    }

    @Test func privateModeNeedsAKeyForMetadata() async throws {
        let feed = try await TestFeed(privateMetadata: true)
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/packages", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(try await client.execute(uri: "/api/packages", method: .get, headers: .key(feed.readKey)).status == .ok)
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }
}
