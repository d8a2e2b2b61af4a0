import Foundation
import Testing

/// The quality bar of the UI checked in the browser: keyboard, phone width, dark mode, nothing from outside.
@Suite struct QualityTests {
    @Test func everyControlIsReachableWithTheTabKey() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let browser = try BrowserSession()
            defer { browser.close() }
            try await browser.open(site.base + "/packages/crm-db")
            try await browser.waitFor("document.querySelector('main[data-ready]')")
            var reached: Set<String> = []
            for _ in 0..<40 {
                try await browser.send("Input.dispatchKeyEvent", ["type": "keyDown", "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9])
                try await browser.send("Input.dispatchKeyEvent", ["type": "keyUp", "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9])
                reached.insert(try await browser.evaluate("(e => e.tagName + ' ' + (e.getAttribute('href') ?? e.textContent.trim()))(document.activeElement)"))
            }
            #expect(reached.contains("A /packages/crm-db/2026.11.23"), "\(reached.sorted())")
            #expect(reached.contains { $0.hasPrefix("A /packages/crm-db/2026.11.24?report=") }, "verdict badge not reachable: \(reached.sorted())")
            #expect(reached.contains("A /api/packages/crm-db/2026.11.23/download"))
            #expect(reached.contains("BUTTON Copy"))
        }
    }

    @Test func phoneWidthDoesNotScrollThePageSideways() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let browser = try BrowserSession()
            defer { browser.close() }
            try await browser.open("about:blank")
            try await browser.send("Emulation.setDeviceMetricsOverride", ["width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true])
            for path in ["/", "/packages/crm-db", "/packages/crm-db/2026.11.24"] {
                try await browser.navigate(site.base + path)
                try await browser.waitFor("document.querySelector('main[data-ready]')")
                // Wide tables scroll inside their own box; the page itself fits the screen.
                let width = try await browser.evaluate("document.documentElement.scrollWidth")
                #expect(Int(width) ?? .max <= 390, "\(path) is \(width) px wide on a 390 px phone")
            }
        }
    }

    @Test func darkModeFollowsTheSystemSetting() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let browser = try BrowserSession()
            defer { browser.close() }
            try await browser.open("about:blank")
            try await browser.send("Emulation.setEmulatedMedia", ["features": [["name": "prefers-color-scheme", "value": "dark"]]])
            try await browser.navigate(site.base + "/packages/crm-db/2026.11.24")
            try await browser.waitFor("document.querySelector('main[data-ready]')")
            let background = try await browser.evaluate("getComputedStyle(document.body).backgroundColor")
            #expect(background == "rgb(18, 22, 27)", "background in dark mode: \(background)")
        }
    }

    @Test func nothingIsLoadedFromOutsideTheServer() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            let browser = try BrowserSession()
            defer { browser.close() }
            try await browser.open(site.base + "/packages/crm-db")
            try await browser.waitFor("document.querySelector('main[data-ready]')")
            let resources = try await browser.evaluate("performance.getEntriesByType('resource').map(e => e.name).join('\\n')")
                .split(separator: "\n").map(String.init)
            #expect(resources.contains { $0.hasSuffix("/style.css") })
            #expect(resources.allSatisfy { $0.hasPrefix(site.base + "/") }, "\(resources)")
        }
    }
}
