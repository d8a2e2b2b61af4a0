import Foundation
import Testing

/// Pages a person acts on, driven through the DevTools protocol: live updates, the key prompt, "Verify again".
@Suite struct InteractionTests {
    @Test func runningVerificationUpdatesWithoutReload() async throws {
        try await UIFeed().serve { site in
            let seeded = try await Fixtures.seed(site)
            let browser = try BrowserSession()
            defer { browser.close() }
            try await browser.open(site.base + "/packages/crm-db/2026.11.25-rc1")
            try await browser.waitFor("document.querySelector('#active-run')?.innerText.includes('running')")
            // A marker that a reload would wipe out.
            _ = try await browser.evaluate("window.stillTheSamePage = 'yes'")
            try await site.finish(job: seeded.runningJob, report: Fixtures.passed)
            try await browser.waitFor("document.querySelector('#report')?.innerText.includes('passed')")
            #expect(try await browser.evaluate("document.querySelector('#active-run')") == "")
            #expect(try await browser.evaluate("window.stillTheSamePage") == "yes")
            #expect(try await browser.mainText().contains("12,000"))
        }
    }

    @Test func privateFeedTakesAKeySaysWhenItIsWrongAndKeepsItForTheTab() async throws {
        try await UIFeed(privateMetadata: true).serve { site in
            _ = try await Fixtures.seed(site)
            let browser = try BrowserSession()
            defer { browser.close() }
            try await browser.open(site.base + "/")
            try await browser.waitFor("document.querySelector('#read-key')")
            #expect(try await browser.mainText().contains("This feed is private"))
            try await browser.type("#read-key", "API-NOTAREALKEY000000000000000000")
            try await browser.click("#key-form button[type=submit]")
            try await browser.waitFor("document.querySelector('main').innerText.includes('That key was not accepted')")
            try await browser.type("#read-key", site.feed.readKey)
            try await browser.click("#key-form button[type=submit]")
            try await browser.waitFor("document.querySelector('main').innerText.includes('crm-db')")
            #expect(try await browser.evaluate("sessionStorage.getItem('backupfeed.readKey')") == site.feed.readKey)
            #expect(try await browser.evaluate("localStorage.length") == "0")
            // The key carries over to the next page of the same tab.
            try await browser.navigate(site.base + "/packages/crm-db/2026.11.24")
            try await browser.waitFor("document.querySelector('main').innerText.includes('relation \"orders\" does not exist')")
        }
    }

    @Test func verifyAgainAsksForAPushKeyAndQueuesARun() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let browser = try BrowserSession()
            defer { browser.close() }
            try await browser.open(site.base + "/packages/crm-db/2026.11.23")
            try await browser.waitFor("document.querySelector('#verify-again')")
            try await browser.click("#verify-again")
            // The key field takes the focus, so the keyboard flow continues there.
            #expect(try await browser.evaluate("document.activeElement.id") == "push-key")
            try await browser.type("#push-key", site.feed.readKey)
            try await browser.click(".verify form button[type=submit]")
            try await browser.waitFor("document.querySelector('.verify').innerText.includes('needs push scope')")
            try await browser.type("#push-key", site.feed.pushKey)
            try await browser.click(".verify form button[type=submit]")
            try await browser.waitFor("document.querySelector('.verify').innerText.includes('Queued verification')")
            try await browser.waitFor("document.querySelector('#active-run')?.innerText.includes('queued')")
            // The earlier passed report stays visible below the queued run.
            #expect(try await browser.mainText().contains("restored 2 tables, 12,400 rows"))
        }
    }
}
