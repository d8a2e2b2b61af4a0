import Testing

/// `/packages/{id}/{version}`: what a person sees for a passed, a failed and a running verification.
@Suite struct VersionPageTests {
    @Test func passedVersionShowsTheWholeReport() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let page = try await site.open("/packages/crm-db/2026.11.23")
            #expect(page.isReady)
            let text = page.text
            #expect(text.contains("Latest report"), "\(text)")
            #expect(text.contains("passed"))
            #expect(text.contains("restored 2 tables, 12,400 rows"))
            #expect(text.contains("PostgreSQL 16.4"))
            // Checks with their status and reason.
            #expect(page.row(containing: "archive")?.contains("1 entry, CRC-32 matches") == true)
            // Tables with row counts.
            #expect(page.row(containing: "customers")?.contains("12,000") == true, "\(page.rows)")
            #expect(page.row(containing: "orders")?.contains("400") == true)
            // Stage timings in pipeline order, total last.
            let stages = page.rows.filter { ["integrity ", "detect ", "restore ", "inspect ", "teardown ", "total "].contains(where: $0.hasPrefix) && !$0.contains("passed") }
            #expect(stages == ["integrity 200 ms", "detect 100 ms", "restore 12.3 s", "inspect 800 ms", "teardown 100 ms", "total 13.5 s"], "\(page.rows)")
            // Collation mappings and the restore log.
            #expect(page.row(containing: "utf8mb4_0900_ai_ci")?.contains("utf8mb4_unicode_ci") == true)
            #expect(text.contains("COPY 12000"))
            // Download command and verification history.
            #expect(text.contains("curl -fL -H \"X-Octopus-ApiKey: $BACKUPFEED_KEY\""))
            #expect(text.contains("\(site.base)/api/packages/crm-db/2026.11.23/download"))
            #expect(text.contains("Verification history"))
            #expect(page.main.contains("id=\"verify-again\""))
        }
    }

    @Test func hostileCheckNameIsShownAsText() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let page = try await site.open("/packages/crm-db/2026.11.23")
            #expect(page.text.contains(Fixtures.hostileCheckName), "\(page.text)")
            #expect(page.text.contains("<b>not bold</b>"))
            // No element came out of the data: no <img>, no <b>, and its onerror never ran.
            #expect(page.elements("img").isEmpty)
            #expect(page.elements("b").isEmpty)
            #expect(page.title != "pwned")
        }
    }

    @Test func failedVersionShowsTheFailingCheckAndItsReason() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let page = try await site.open("/packages/crm-db/2026.11.24")
            let restore = try #require(page.rows.first { $0.hasPrefix("restore") && $0.contains("ERROR") }, "\(page.rows)")
            #expect(restore.contains("failed"))
            #expect(restore.contains(Fixtures.failingReason))
            #expect(page.text.contains("restore stopped: relation \"orders\" does not exist"))
            #expect(page.row(containing: "row counts")?.contains("skipped") == true)
            // Row count against the previous passed version (2026.11.23 had 12,000 customers).
            let customers = try #require(page.row(containing: "customers"))
            #expect(customers.contains("11,950") && customers.contains("12,000") && customers.contains("−50"), "\(customers)")
        }
    }

    @Test func runningVerificationSaysSoAndPolls() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let page = try await site.open("/packages/crm-db/2026.11.25-rc1")
            #expect(page.text.contains("prerelease"))
            #expect(page.text.contains("running"), "\(page.text)")
            #expect(page.text.contains("This page updates by itself"))
            #expect(page.text.contains("Not verified yet") == false)
        }
    }
}
