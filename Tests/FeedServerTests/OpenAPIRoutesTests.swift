import Foundation
import Hummingbird
import Logging
import PackageFeed
import Testing

@testable import FeedServer

/// Every route the router has is in docs/openapi.yaml, and every operation there is a route: a route added
/// without documenting it (or a documented one that went away) fails here, before any client finds out.
@Suite struct OpenAPIRoutesTests {
    /// `METHOD /path` with every parameter written `{}`, so that `:id` and `{packageId}` compare equal.
    static func normalized(_ method: String, _ path: String) -> String {
        let pattern = /:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\}/
        let trimmed = path.hasPrefix("/") ? path : "/" + path
        return "\(method.uppercased()) \(trimmed.replacing(pattern, with: "{}"))"
    }

    /// The operations of docs/openapi.yaml, read by its layout: paths at two spaces of indent, methods at four.
    static func documentedOperations() throws -> Set<String> {
        let text = try String(contentsOf: PythonTool.repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if !line.hasPrefix(" ") && !line.isEmpty && !line.hasPrefix("#") { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if let match = line.wholeMatch(of: #/  (/[^:\s]*):\s*/#) {
                path = String(match.1)
            } else if let path, let match = line.wholeMatch(of: #/    (get|put|post|delete|head|patch|options):\s*/#) {
                operations.insert(normalized(String(match.1), path))
            }
        }
        return operations
    }

    /// The router's routes, built exactly as the server builds them (UI included).
    static func routedOperations() async throws -> Set<String> {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-routes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let configuration = FeedServerConfiguration(
            dataDirectory: data, publicDirectory: PythonTool.repositoryRoot.appendingPathComponent("Public"), logLevel: .warning,
            runVerifications: false)
        var logger = Logger(label: "routes-test")
        logger.logLevel = .warning
        let feed = try PackageFeed(dataDirectory: data, logger: logger)
        let router = buildRouter(
            feed: feed, events: FeedEvents([]), signal: VerificationSignal(), metrics: FeedMetrics(),
            receipts: ReceiptWriter(catalog: feed.catalog, keyring: ReceiptKeyring(dataDirectory: data), logger: logger),
            configuration: configuration)
        return Set(router.routes.map { normalized($0.method.rawValue, "\($0.path)") })
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() async throws {
        let documented = try Self.documentedOperations()
        let routed = try await Self.routedOperations()
        #expect(documented.count > 30, "the document's operations were not found; did its layout change? \(documented.sorted())")

        // `/packages/**` loads the UI for any path below it; the document names the two the UI links to.
        let uiCatchAll = Self.normalized("GET", "/packages/**")
        // `/api/**` answers every path no route serves with an Octopus-shaped 404: no operation of its own.
        let apiCatchAll = Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"].map { Self.normalized($0, "/api/**") })
        #expect(apiCatchAll.isSubset(of: routed), "the Octopus 404 catch-all is routed for every method")
        let undocumented = routed.subtracting(documented).subtracting([uiCatchAll]).subtracting(apiCatchAll)
        #expect(undocumented.isEmpty, "routes missing from docs/openapi.yaml: \(undocumented.sorted())")
        if routed.contains(uiCatchAll) {
            #expect(documented.contains(Self.normalized("GET", "/packages/{packageId}")))
        }

        // `/` is served by FileMiddleware (index.html), the UI's pages by the catch-all: no routes of their own.
        let servedWithoutRoute: Set<String> = [Self.normalized("GET", "/"), Self.normalized("GET", "/packages/{a}"), Self.normalized("GET", "/packages/{a}/{b}")]
        let phantom = documented.subtracting(routed).subtracting(servedWithoutRoute)
        #expect(phantom.isEmpty, "operations in docs/openapi.yaml that the server does not route: \(phantom.sorted())")
    }
}
