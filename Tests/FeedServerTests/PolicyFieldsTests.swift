import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct PolicyFieldsTests {
    @Test(arguments: [
        (#"{"maxRowDrop": 10}"#, "maxRowDrop: unknown field"),
        (#"{"checks": [{"name": "a", "sql": "select 1", "expect": "> 0", "expected": "> 0"}]}"#, "checks[0].expected: unknown field"),
        (#"{"checks": [{"name": "a", "sql": "\\! touch /tmp/x", "expect": "> 0"}]}"#, "checks[0].sql"),
        (#"[1, 2]"#, "must be a JSON object"),
    ])
    func misspeltOrDangerousFieldsAreRefusedByName(body: String, reason: String) async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/packages/Db/policy", method: .put, headers: .key(TestFeed.adminKey), body: ByteBuffer(string: body))
            #expect(response.status == .badRequest)
            #expect(response.text.contains(reason), "\(response.text)")
        }
    }
}
