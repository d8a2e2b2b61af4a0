import Testing

/// `--private`: metadata needs a read key, so the pages ask for one instead of showing data or an error.
@Suite struct PrivateModeTests {
    @Test func privateFeedAsksForAKeyAndShowsNoData() async throws {
        try await UIFeed(privateMetadata: true).serve { site in
            _ = try await Fixtures.seed(site)
            for path in ["/", "/packages/crm-db", "/packages/crm-db/2026.11.23"] {
                let page = try await site.open(path)
                #expect(page.text.contains("This feed is private. Enter an API key with read scope"), "\(path): \(page.text)")
                #expect(page.elements("input").contains { $0.contains("type=\"password\"") })
                #expect(!page.text.contains("2026.11.23 "), "\(path) leaked data")
            }
        }
    }
}
