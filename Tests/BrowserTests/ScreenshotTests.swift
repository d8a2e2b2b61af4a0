import Foundation
import Testing

/// Screenshots for the README, taken from the same live server the other tests use.
/// They land in docs/screenshots/ (or BROWSER_SCREENSHOTS_DIR).
@Suite struct ScreenshotTests {
    static var directory: URL {
        if let custom = ProcessInfo.processInfo.environment["BROWSER_SCREENSHOTS_DIR"] { return URL(fileURLWithPath: custom) }
        return UIFeed.repositoryRoot.appendingPathComponent("docs/screenshots")
    }

    @Test func screenshotsOfEveryPage() async throws {
        try await UIFeed().serve { site in
            _ = try await Fixtures.seed(site)
            try await site.push("web-db", "1.1.0")
            let shots: [(String, String, Int, Int, Bool)] = [
                ("index.png", "/", 1280, 900, false),
                ("package.png", "/packages/crm-db", 1280, 900, false),
                ("version-passed.png", "/packages/crm-db/2026.11.23", 1280, 1800, false),
                ("version-failed.png", "/packages/crm-db/2026.11.24", 1280, 1400, false),
                ("version-running.png", "/packages/crm-db/2026.11.25-rc1", 1280, 900, false),
                ("phone-version.png", "/packages/crm-db/2026.11.24", 390, 1600, false),
                ("version-failed-dark.png", "/packages/crm-db/2026.11.24", 1280, 1400, true),
            ]
            for (name, path, width, height, dark) in shots {
                let file = Self.directory.appendingPathComponent(name)
                try? FileManager.default.removeItem(at: file)
                try await Chromium.screenshot(site.base + path, to: file, width: width, height: height, dark: dark)
                let data = try Data(contentsOf: file)
                #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is not a PNG")
                #expect(data.count > 10_000, "\(name) looks blank")
            }
        }
    }
}
