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
        (#"{"maxAgeHours": 0}"#, "maxAgeHours: must be"),
        (#"{"maxAgeHours": "26"}"#, "maxAgeHours: expected"),
        (#"{"reverifyDays": -1}"#, "reverifyDays: must be"),
        (#"{"retention": {}}"#, "retention: needs keepLast, keepDays or both"),
        (#"{"retention": {"keepLast": 0}}"#, "retention.keepLast: must be at least 1"),
        (#"{"retention": {"keepDays": -2}}"#, "retention.keepDays: must be"),
        (#"{"retention": {"keepLast": 3, "keep": 1}}"#, "retention.keep: unknown field"),
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

    /// The operations fields sit next to the verification fields in one object, and come back as they were set.
    @Test func operationsFieldsAreStoredWithTheVerificationFields() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let body = #"{"timeoutSeconds": 600, "maxAgeHours": 26, "reverifyDays": 7, "retention": {"keepLast": 5, "keepDays": 30}}"#
            let put = try await client.execute(
                uri: "/api/packages/Db/policy", method: .put, headers: .key(TestFeed.adminKey), body: ByteBuffer(string: body))
            #expect(put.status == .ok, "\(put.text)")
            let get = try await client.execute(uri: "/api/packages/Db/policy", method: .get)
            let policy = try #require(try JSONSerialization.jsonObject(with: Data(get.text.utf8)) as? [String: Any])
            #expect(policy["timeoutSeconds"] as? Int == 600)
            #expect(policy["maxAgeHours"] as? Double == 26)
            #expect(policy["reverifyDays"] as? Double == 7)
            let retention = policy["retention"] as? [String: Any]
            #expect(retention?["keepLast"] as? Int == 5)
            #expect(retention?["keepDays"] as? Double == 30)
            #expect(policy["engine"] as? String == "auto", "verification defaults are still shown: \(policy)")
        }
    }
}
