import Foundation
import Testing

/// Bad backups through the real server: a truncated dump and a dump that lost a table fail, the failure is
/// explained, and `latest?verified=true` keeps pointing at the last good version.
@Suite struct VerificationFailureHTTPTests {
    static func sqliteDump() throws -> String {
        try String(contentsOf: Verification.petclinic("petclinic.sqlite.sql"), encoding: .utf8)
    }

    @Test func truncatedDumpFailsAndVerifiedLatestSkipsIt() async throws {
        let full = try Self.sqliteDump()
        // Cut in the middle of the first INSERT into owners: the file ends inside a statement.
        let cut = try #require(full.range(of: "INSERT INTO owners VALUES(3,"))
        let truncated = String(full[..<cut.upperBound])
        let good = try Verification.zip(Data(full.utf8)), bad = try Verification.zip(Data(truncated.utf8))
        defer { Verification.discard(good); Verification.discard(bad) }

        try await Verification.withFeed { feed, client in
            try await client.push(good, id: "Clinic", version: "1.0.0")
            #expect(try await client.waitForVerdict("Clinic", "1.0.0").status == "passed")
            try await client.push(bad, id: "Clinic", version: "1.1.0")
            let verdict = try await client.waitForVerdict("Clinic", "1.1.0")
            #expect(verdict.status == "failed", "\(verdict)")
            #expect(verdict.summary.contains("truncated"), "\(verdict.summary)")
            let report = try #require(try await client.reports("Clinic", "1.1.0").first)
            #expect(report.status == "failed")
            let failing = (report["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "failed" }
            #expect(failing.contains { ($0["detail"] as? String)?.contains("truncated") == true }, "\(report.checkNames)")

            let latest = try await client.get("/api/packages/Clinic/latest")
            #expect(latest.json["version"] as? String == "1.1.0")
            #expect((latest.json["verification"] as? [String: Any])?.status == "failed")
            let verified = try await client.get("/api/packages/Clinic/latest?verified=true")
            #expect(verified.status == 200)
            #expect(verified.json["version"] as? String == "1.0.0", "\(verified.body)")
            #expect((verified.json["verification"] as? [String: Any])?.status == "passed")

            let download = try await client.get("/api/packages/Clinic/latest/download?verified=true", key: feed.readKey)
            #expect(download.status == 200)
            #expect(download.headers["x-package-version"] == "1.0.0", "\(download.headers)")
            let unverified = try await client.get("/api/packages/Clinic/latest/download", key: feed.readKey)
            #expect(unverified.headers["x-package-version"] == "1.1.0")

            let versions = try await client.get("/api/packages/Clinic/versions").json["items"] as? [[String: Any]] ?? []
            let statuses = Dictionary(uniqueKeysWithValues: versions.compactMap { item -> (String, String)? in
                guard let version = item["version"] as? String, let status = (item["verification"] as? [String: Any])?.status else { return nil }
                return (version, status)
            })
            #expect(statuses == ["1.0.0": "passed", "1.1.0": "failed"], "the versions list shows each version's latest status")
        }
    }

    @Test func noVerifiedVersionIsNotFound() async throws {
        let bad = try Verification.zip(Data("CREATE TABLE t (x INT);\nINSERT INTO t VALUES(".utf8))
        defer { Verification.discard(bad) }
        try await Verification.withFeed { _, client in
            try await client.push(bad, id: "OnlyBad", version: "1.0.0")
            #expect(try await client.waitForVerdict("OnlyBad", "1.0.0").status == "failed")
            #expect(try await client.get("/api/packages/OnlyBad/latest").status == 200)
            #expect(try await client.get("/api/packages/OnlyBad/latest?verified=true").status == 404)
        }
    }

    @Test func vanishedTableFailsAgainstThePreviousPassedVersion() async throws {
        let full = try Self.sqliteDump()
        let start = try #require(full.range(of: "CREATE TABLE visits")), end = try #require(full.range(of: "COMMIT;"))
        let withoutVisits = String(full[..<start.lowerBound]) + String(full[end.lowerBound...])
        let good = try Verification.zip(Data(full.utf8)), shrunk = try Verification.zip(Data(withoutVisits.utf8))
        defer { Verification.discard(good); Verification.discard(shrunk) }

        try await Verification.withFeed { _, client in
            try await client.push(good, id: "Shrinking", version: "2022.06.20")
            #expect(try await client.waitForVerdict("Shrinking", "2022.06.20").status == "passed")
            try await client.push(shrunk, id: "Shrinking", version: "2022.06.21")
            let verdict = try await client.waitForVerdict("Shrinking", "2022.06.21")
            #expect(verdict.status == "failed", "\(verdict)")
            #expect(verdict.summary.contains("table visits is missing"), "\(verdict.summary)")
            #expect(verdict.summary.contains("2022.06.20"), "names the version that had it: \(verdict.summary)")
            let report = try #require(try await client.reports("Shrinking", "2022.06.21").first)
            #expect(report.check("compare")?["status"] as? String == "failed", "\(report)")
            #expect(report.rows("owners") == 10)
            #expect(report.rows("visits") == nil)
            let owners = (report["tables"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "owners" }
            #expect(owners?["previousRows"] as? Int == 10, "tables carry the previous passed version's rows")
        }
    }
}
