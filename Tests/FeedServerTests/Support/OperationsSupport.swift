import FeedServer
import Foundation
import HummingbirdTesting

extension Verification {
    /// Like `withFeed`, with the server configuration adjusted first (for example a short operations interval).
    static func withFeed(
        configure: @escaping @Sendable (inout FeedServerConfiguration) -> Void,
        sandbox: URL = sharedSandbox, _ body: @escaping @Sendable (TestFeed, FeedClient) async throws -> Void
    ) async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        var configuration = feed.configuration
        configuration.sandboxDirectory = sandbox
        configuration.runVerifications = true
        configure(&configuration)
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            try await body(feed, FeedClient(transport: .testClient(client), pushKey: feed.pushKey, readKey: feed.readKey))
        }
    }

    /// A zipped petclinic SQLite dump whose bytes differ per `label` (a leading comment), so that each version
    /// has its own blob.
    static func distinctSQLiteZip(_ label: String) throws -> URL {
        var dump = Data("-- backup \(label)\n".utf8)
        dump.append(try Data(contentsOf: petclinic("petclinic.sqlite.sql")))
        return try zip(dump)
    }
}

extension FeedClient {
    /// Polls `GET path` until `condition` holds for the reply; returns that reply.
    func poll(
        _ path: String, timeout: Duration = .seconds(60), key: String? = nil, until condition: (Reply) -> Bool
    ) async throws -> Reply {
        let deadline = ContinuousClock.now + timeout
        var last = try await get(path, key: key)
        while !condition(last), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            last = try await get(path, key: key)
        }
        return last
    }
}
