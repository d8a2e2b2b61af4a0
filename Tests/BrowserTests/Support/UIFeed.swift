import BackupVerifier
import FeedServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PackageFeed

/// A real feed server in a fresh data directory serving the UI from this repository's `Public/`, with
/// a push key and a read key. Versions are pushed over HTTP; verification runs are written straight
/// into the catalog so every page state (passed, failed, running) is deterministic.
struct UIFeed {
    static let adminKey = "API-BROWSERTESTADMIN00000000000000"
    let dataDirectory: URL
    let pushKey: String
    let readKey: String
    let configuration: FeedServerConfiguration
    /// A second handle on the same catalog, as the verification worker would hold one.
    let feed: PackageFeed

    /// The repository root, found from this file (resolving the symlinks of scratch manifests).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init(privateMetadata: Bool = false) async throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-ui-\(UUID().uuidString)")
        var logger = Logger(label: "browser-test")
        logger.logLevel = .warning
        feed = try PackageFeed(dataDirectory: dataDirectory, logger: logger)
        pushKey = try await feed.keys.create(name: "pusher", scope: .push).secret
        readKey = try await feed.keys.create(name: "reader", scope: .read).secret
        configuration = FeedServerConfiguration(
            host: "127.0.0.1", port: 0, dataDirectory: dataDirectory, privateMetadata: privateMetadata,
            adminKey: Self.adminKey, createAdminKeyIfNone: false,
            publicDirectory: Self.repositoryRoot.appendingPathComponent("Public"), logLevel: .warning,
            runVerifications: false // the tests write every run themselves, so no worker may take one
        )
    }

    /// Runs the server on a free port for the duration of `body`.
    func serve(_ body: @escaping @Sendable (Site) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        try await buildApplication(configuration).test(.live) { client in
            try await body(Site(base: "http://127.0.0.1:\(client.port!)", client: client, feed: self))
        }
    }
}

/// The running server as the tests drive it.
struct Site: Sendable {
    let base: String
    let client: any TestClientProtocol
    let feed: UIFeed

    /// Pushes a small zip-looking file as `id` `version` (PUT, as `curl -T` does).
    @discardableResult
    func push(_ id: String, _ version: String, bytes: Int = 2048) async throws -> String {
        var body = ByteBuffer(bytes: [0x50, 0x4B, 0x03, 0x04])
        body.writeBytes((0..<bytes).map { _ in UInt8.random(in: 0...255) })
        let response = try await client.execute(
            uri: "/api/packages/\(id)/\(version)?extension=zip", method: .put,
            headers: [.init("X-Octopus-ApiKey")!: feed.pushKey], body: body
        )
        guard response.status == .created else { throw Chromium.Failure(description: "push \(id) \(version): \(response.status) \(String(buffer: response.body))") }
        let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return json?["sha256"] as? String ?? ""
    }

    private func versionId(_ id: String, _ version: String) async throws -> Int64 {
        try await feed.feed.version(try PackageID(id), try PackageVersion(version)).id!
    }

    /// A finished run with this report, as the worker records it.
    @discardableResult
    func finishRun(_ id: String, _ version: String, report: VerificationReport) async throws -> Int64 {
        let job = try await startRun(id, version)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try await feed.feed.catalog.finishJob(id: job, status: report.verdict.rawValue, summary: report.summary, report: json)
        return job
    }

    /// A run the worker has taken and not finished: the oldest queued one, which must be this version's
    /// (every push queues a run, so push and run one version after the other).
    @discardableResult
    func startRun(_ id: String, _ version: String) async throws -> Int64 {
        let versionId = try await versionId(id, version)
        guard let claimed = try await feed.feed.catalog.claimNextJob(), claimed.versionId == versionId else {
            throw Chromium.Failure(description: "the oldest queued run is not that of \(id) \(version)")
        }
        return claimed.id!
    }

    /// Ends a run started with `startRun`.
    func finish(job: Int64, report: VerificationReport) async throws {
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try await feed.feed.catalog.finishJob(id: job, status: report.verdict.rawValue, summary: report.summary, report: json)
    }

    /// The page at `path` after its scripts ran.
    func open(_ path: String) async throws -> Page {
        Page(html: try await Chromium.dumpDOM(base + path))
    }
}
