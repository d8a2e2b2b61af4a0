import Foundation
import Testing

/// The printable evidence page, rendered to a PDF by headless Chromium and read back with pdftotext: what an
/// auditor gets on paper names the period, the untested package first, and each package's runs and figures.
@Suite struct EvidencePageTests {
    @Test func theEvidencePagePrintsToAPDFWithTheFindingsFirst() async throws {
        try await UIFeed().serve { site in
            try await site.push("orders-db", "2026.11.30")
            _ = try await site.finishRun("orders-db", "2026.11.30", report: Fixtures.passed)
            try await site.push("orders-db", "2026.12.01")
            _ = try await site.finishRun("orders-db", "2026.12.01", report: Fixtures.failed)
            try await site.push("forgotten-db", "1.0.0")

            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: tmp) }
            let pdf = tmp.appendingPathComponent("evidence.pdf")
            try await Chromium.printToPDF(site.base + "/evidence", to: pdf)
            let head = try FileHandle(forReadingFrom: pdf).read(upToCount: 5)
            #expect(head == Data("%PDF-".utf8))

            let text = try Chromium.run("/usr/bin/pdftotext", ["-layout", pdf.path, "-"], timeout: 60)
            #expect(text.contains("Backup verification evidence"), "\(text)")
            #expect(text.contains("1 package had no verification at all in this period: forgotten-db"), "\(text)")
            let forgotten = try #require(text.range(of: "forgotten-db"))
            let orders = try #require(text.range(of: "orders-db"))
            #expect(forgotten.lowerBound < orders.lowerBound, "the untested package comes first")
            #expect(text.contains("50 %"), "pass rate of orders-db: \(text)")
            #expect(text.contains("2026.11.30") && text.contains("2026.12.01"))
            #expect(!text.contains("Print") && !text.contains("JSON API"), "buttons and the footer are not printed: \(text)")
        }
    }
}
