import Testing

/// `/` and `/packages/{id}` in headless Chromium against a live server with pushed and verified versions.
@Suite struct PackagePagesTests {
    @Test func homeListsPackagesWithLatestVersionVerdictAndSize() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let page = try await site.open("/")
            #expect(page.isReady)
            let crm = try #require(page.row(containing: "crm-db"), "\(page.text)")
            // Latest non-prerelease version and its verdict, when it was verified, 3 × 2,052 bytes in total.
            #expect(crm.contains("2026.11.24"))
            #expect(crm.contains("failed"))
            #expect(crm.contains("verified "))
            #expect(crm.contains("6.2 KB"))
            let web = try #require(page.row(containing: "web-db"))
            #expect(web.contains("queued"))
        }
    }

    @Test func filterBoxNarrowsTheList() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let page = try await site.open("/?filter=web")
            #expect(page.elements("input").contains { $0.contains("type=\"search\"") && $0.contains("value=\"web\"") })
            #expect(page.row(containing: "web-db") != nil)
            #expect(page.row(containing: "crm-db") == nil, "\(page.text)")
        }
    }

    @Test func packagePageListsVersionsNewestFirstWithVerdictsAndShortHashes() async throws {
        try await UIFeed().serve { site in
            let sha = try await Fixtures.seed(site).sha
            let page = try await site.open("/packages/crm-db")
            #expect(page.isReady)
            let versionRows = page.rows.filter { $0.contains("2026.11.") }
            try #require(versionRows.count == 3, "\(page.rows)")
            #expect(versionRows[0].contains("2026.11.25-rc1") && versionRows[0].contains("prerelease") && versionRows[0].contains("running"))
            #expect(versionRows[1].contains("2026.11.24") && versionRows[1].contains("failed"))
            #expect(versionRows[2].contains("2026.11.23") && versionRows[2].contains("passed"))
            // The short sha256 is shown, the full one is kept for copying.
            let full = try #require(sha["2026.11.23"])
            #expect(versionRows[2].contains(String(full.prefix(12))))
            #expect(!versionRows[2].contains(full))
            #expect(page.main.contains("title=\"\(full)\""))
            // Each verdict links to its report, each version to its page.
            #expect(page.main.contains("href=\"/packages/crm-db/2026.11.23?report="))
            #expect(page.main.contains("href=\"/api/packages/crm-db/2026.11.23/download\""))
        }
    }

    @Test func unknownPackageGetsAFriendlyPage() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let page = try await site.open("/packages/no-such-db")
            #expect(page.text.contains("No package named no-such-db"), "\(page.text)")
            #expect(page.main.contains("href=\"/\""))
            let version = try await site.open("/packages/crm-db/9.9.9")
            #expect(version.text.contains("No version 9.9.9 of crm-db"), "\(version.text)")
        }
    }
}
