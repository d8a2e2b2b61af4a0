import FeedServer
import Foundation
import Testing

/// Retention on real pushed and verified versions, through the real server, checking what is left on disk.
@Suite struct RetentionHTTPTests {
    @Test func dryRunListsAndApplyDeletesOldVersionsAndTheirBlobsButNeverTheNewestPassed() async throws {
        try await Verification.withFeed { feed, client in
            for index in 1...4 {
                let zip = try Verification.distinctSQLiteZip("\(index)")
                defer { Verification.discard(zip) }
                try await client.push(zip, id: "Ret", version: "1.0.\(index)")
                #expect(try await client.waitForVerdict("Ret", "1.0.\(index)").status == "passed")
            }
            // The newest version fails: retention must keep it (it is newer than the newest passed one) and 1.0.4.
            let text = try String(contentsOf: Verification.petclinic("petclinic.sqlite.sql"), encoding: .utf8)
            let truncated = try Verification.zip(Data(text.utf8.prefix(text.utf8.count / 2)))
            defer { Verification.discard(truncated) }
            try await client.push(truncated, id: "Ret", version: "1.0.5")
            #expect(try await client.waitForVerdict("Ret", "1.0.5").status == "failed")
            #expect(try feed.blobFiles().count == 5)

            #expect(try await client.setPolicy("Ret", #"{"retention": {"keepLast": 1}}"#).status == 200)
            #expect(try await client.request("POST", "/api/retention/apply", key: client.pushKey).status == 403)

            let dry = try await client.request("POST", "/api/retention/apply?dryRun=true", key: client.adminKey)
            #expect(dry.status == 200, "\(dry.body)")
            #expect(dry.json["dryRun"] as? Bool == true)
            let planned = (dry.json["deleted"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? String }.sorted()
            #expect(planned == ["1.0.1", "1.0.2", "1.0.3"], "\(dry.body)")
            #expect(dry.json["blobsRemoved"] as? Int == 3)
            #expect((dry.json["deleted"] as? [[String: Any]])?.first?["reason"] as? String == "not among the newest 1")
            #expect(try feed.blobFiles().count == 5, "a dry run deletes nothing")
            #expect(try await Self.versions(client) == ["1.0.5", "1.0.4", "1.0.3", "1.0.2", "1.0.1"])

            let applied = try await client.request("POST", "/api/retention/apply", key: client.adminKey)
            #expect(applied.status == 200, "\(applied.body)")
            #expect(applied.json["dryRun"] as? Bool == false)
            #expect((applied.json["deleted"] as? [[String: Any]] ?? []).count == 3)
            #expect(try await Self.versions(client) == ["1.0.5", "1.0.4"])
            #expect(try feed.blobFiles().count == 2, "the deleted versions' bytes are gone from disk")
            #expect(try await client.get("/api/packages/Ret/1.0.1").status == 404)
            let latest = try await client.get("/api/packages/Ret/latest?verified=true")
            #expect(latest.json["version"] as? String == "1.0.4")

            // Nothing more to do: a second pass deletes nothing.
            let again = try await client.request("POST", "/api/retention/apply", key: client.adminKey)
            #expect((again.json["deleted"] as? [[String: Any]])?.isEmpty == true, "\(again.body)")
        }
    }

    /// The server applies retention on its own schedule (daily in production; here every 300 ms), with no API call.
    @Test func retentionRunsOnItsOwnSchedule() async throws {
        try await Verification.withFeed(configure: {
            $0.operationsCheckInterval = .milliseconds(200)
            $0.retentionInterval = .milliseconds(300)
        }) { feed, client in
            for index in 1...3 {
                let zip = try Verification.distinctSQLiteZip("scheduled \(index)")
                defer { Verification.discard(zip) }
                try await client.push(zip, id: "Ret", version: "2.0.\(index)")
                #expect(try await client.waitForVerdict("Ret", "2.0.\(index)").status == "passed")
            }
            #expect(try await client.setPolicy("Ret", #"{"retention": {"keepLast": 1}}"#).status == 200)
            let deadline = ContinuousClock.now + .seconds(60)
            while try await Self.versions(client).count > 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await Self.versions(client) == ["2.0.3"])
            #expect(try feed.blobFiles().count == 1)
        }
    }

    static func versions(_ client: FeedClient) async throws -> [String] {
        let reply = try await client.get("/api/packages/Ret/versions")
        return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? String }
    }
}
