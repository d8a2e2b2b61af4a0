import Foundation
import Testing

/// Package policies through the real server: who may change them, how bad bodies are refused, and that the
/// worker applies them (SQL checks, "verify again", `enabled: false`).
@Suite struct PolicyHTTPTests {
    static let petclinic = Verification.petclinic("petclinic.sqlite.sql")

    @Test func policyNeedsAdminAndRefusesInvalidBodiesNamingTheField() async throws {
        try await Verification.withFeed { _, client in
            let valid = #"{"checks":[{"name":"owners","sql":"select count(*) from owners","expect":"> 0"}],"maxRowDropPercent":20,"timeoutSeconds":600}"#
            let asPusher = try await client.setPolicy("Guarded", valid, key: client.pushKey)
            #expect(asPusher.status == 403, "a push key cannot change a policy: \(asPusher.status) \(asPusher.body)")
            #expect(try await client.setPolicy("Guarded", valid, key: client.readKey).status == 403)
            let anonymous = try await client.request("PUT", "/api/packages/Guarded/policy", key: nil, body: valid)
            #expect(anonymous.status == 401)

            let invalid: [(String, String)] = [
                (#"{"checks":[{"name":"owners","sql":"select count(*) from owners","expect":"more than 0"}]}"#, "checks[0].expect"),
                (#"{"checks":[{"name":"a","sql":"select 1","expect":"> 0"},{"name":"b","sql":"select 1","expect":"=> 1"}]}"#, "checks[1].expect"),
                (#"{"maxRowDropPercent":200}"#, "maxRowDropPercent"),
                (#"{"timeoutSeconds":"ten minutes"}"#, "timeoutSeconds"),
                (#"{"timeoutSeconds":0}"#, "timeoutSeconds"),
                (#"{"enabled":"yes"}"#, "enabled"),
                (#"{"engine":"oracle"}"#, "engine"),
                (#"{"checks":[{"name":"owners","expect":"> 0"}]}"#, "checks[0].sql"),
                (#"{"checks":"#, "JSON"),
            ]
            for (body, field) in invalid {
                let reply = try await client.setPolicy("Guarded", body)
                #expect(reply.status == 400, "\(body) → \(reply.status) \(reply.body)")
                let message = reply.json["error"] as? String ?? ""
                #expect(message.contains(field), "\(body) → \(message)")
            }
            #expect(try await client.get("/api/packages/Guarded/policy").json["maxRowDropPercent"] as? Double == 50,
                    "refused bodies change nothing: the default policy still applies")

            let saved = try await client.setPolicy("Guarded", valid)
            #expect(saved.status == 200, "\(saved.body)")
            let policy = try await client.get("/api/packages/Guarded/policy").json
            #expect(policy["maxRowDropPercent"] as? Double == 20)
            #expect(policy["timeoutSeconds"] as? Int == 600)
            #expect(policy["enabled"] as? Bool == true)
            #expect(policy["engine"] as? String == "auto")
            let checks = policy["checks"] as? [[String: Any]] ?? []
            #expect(checks.count == 1)
            #expect(checks.first?["sql"] as? String == "select count(*) from owners")
            #expect(checks.first?["expect"] as? String == "> 0")
            #expect(try await client.get("/api/packages/guarded/policy").json["maxRowDropPercent"] as? Double == 20,
                    "package ids are case-insensitive")
        }
    }

    /// A failing SQL check fails the run; "verify again" re-runs an older version under the policy now in force.
    @Test func sqlCheckFailsTheRunAndVerifyAgainPicksUpThePolicy() async throws {
        let zip = try Verification.zip(file: Self.petclinic)
        defer { Verification.discard(zip) }
        try await Verification.withFeed { _, client in
            try await client.push(zip, id: "Strict", version: "1.0.0")
            let first = try await client.waitForVerdict("Strict", "1.0.0")
            #expect(first.status == "passed", "\(first)")

            let policy = #"{"checks":[{"name":"many owners","sql":"select count(*) from owners","expect":"> 100"}]}"#
            #expect(try await client.setPolicy("Strict", policy).status == 200)

            // A new version runs under the policy.
            try await client.push(zip, id: "Strict", version: "1.0.1")
            let second = try await client.waitForVerdict("Strict", "1.0.1")
            #expect(second.status == "failed", "\(second)")
            #expect(second.summary.contains("owners"), "\(second.summary)")
            #expect(second.summary.contains("> 100"), "\(second.summary)")
            let report = try #require(try await client.reports("Strict", "1.0.1").first)
            let check = report.check("check: many owners")
            #expect(check?["status"] as? String == "failed", "\(report.checkNames)")
            #expect((check?["detail"] as? String)?.contains("owners has 10 rows") == true, "\(String(describing: check))")

            // Verify again: needs a push key, queues a new run of 1.0.0 that applies the policy.
            #expect(try await client.request("POST", "/api/packages/Strict/1.0.0/verifications", key: client.readKey).status == 403)
            let queued = try await client.request("POST", "/api/packages/Strict/1.0.0/verifications", key: client.pushKey)
            #expect(queued.status == 201, "\(queued.body)")
            let queuedId = try #require(queued.json["id"] as? Int)
            #expect(queuedId != first["id"] as? Int)
            #expect(["queued", "running"].contains(queued.json["status"] as? String ?? ""), "\(queued.body)")
            let again = try await client.waitForVerdict("Strict", "1.0.0")
            #expect(again["id"] as? Int == queuedId)
            #expect(again.status == "failed", "\(again)")
            #expect(again.summary.contains("owners"))

            let history = try await client.reports("Strict", "1.0.0")
            #expect(history.map(\.status) == ["failed", "passed"], "newest first")
            #expect(history.first?["id"] as? Int == queuedId)
            let single = try await client.get("/api/verifications/\(queuedId)")
            #expect(single.status == 200)
            #expect(single.json.status == "failed")
            #expect(single.json["version"] as? String == "1.0.0")
            #expect(try await client.get("/api/verifications/999999").status == 404)

            // The version the policy was about: verified=true now has no passing latest run above 1.0.0.
            let verified = try await client.get("/api/packages/Strict/latest?verified=true")
            #expect(verified.status == 404, "a version whose latest run failed no longer counts as verified: \(verified.body)")
        }
    }

    @Test func disabledPolicyLeavesNewVersionsWithoutAVerdict() async throws {
        let zip = try Verification.zip(file: Self.petclinic)
        defer { Verification.discard(zip) }
        try await Verification.withFeed { _, client in
            #expect(try await client.setPolicy("Quiet", #"{"enabled":false}"#).status == 200)
            #expect(try await client.get("/api/packages/Quiet/policy").json["enabled"] as? Bool == false)
            try await client.push(zip, id: "Quiet", version: "1.0.0")
            // The push queues a job; the worker drops it because verification is off for this package.
            let deadline = ContinuousClock.now + .seconds(30)
            var verification = try await client.verification("Quiet", "1.0.0")
            while verification != nil, ContinuousClock.now < deadline {
                #expect(verification?.status == "queued" || verification?.status == "running", "\(String(describing: verification))")
                try await Task.sleep(for: .milliseconds(100))
                verification = try await client.verification("Quiet", "1.0.0")
            }
            #expect(verification == nil, "no verdict for a version of a package with verification off")
            #expect(try await client.reports("Quiet", "1.0.0").isEmpty)

            // Turned back on, "verify again" gives the version its verdict.
            #expect(try await client.setPolicy("Quiet", #"{"enabled":true}"#).status == 200)
            #expect(try await client.request("POST", "/api/packages/Quiet/1.0.0/verifications", key: client.pushKey).status == 201)
            #expect(try await client.waitForVerdict("Quiet", "1.0.0").status == "passed")
        }
    }
}
