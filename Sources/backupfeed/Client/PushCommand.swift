import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOHTTP1
import PackageFeed

/// `backupfeed push FILE`: uploads a backup the way Octopus clients do, with a checksum the server checks, and
/// optionally waits for its verification verdict.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push a backup to a feed; with --wait, wait for its verification verdict.",
        discussion: """
            FILE is named <PackageId>.<Version>.<ext>, like PetClinicDB.2022.06.20.zip: the feed reads the package ID \
            and version from the name. The file is hashed, then streamed with its SHA-256 in X-Checksum-Sha256, so a \
            transfer damaged on the way is refused and nothing is stored.

            Exit status: 0 stored (with --wait: verification passed), 1 verification failed (the backup is bad), \
            2 anything else (HTTP error, server unreachable, verification error, --wait timed out), 64 usage error.
            """
    )

    @Argument(help: "The backup file, named like PetClinicDB.2022.06.20.zip.")
    var file: String

    @OptionGroup var feed: FeedOptions

    @Option(help: "What to do when the version exists with other bytes: FailIfExists, IgnoreIfExists or OverwriteExisting.")
    var overwriteMode: OverwriteMode = .failIfExists

    @Flag(help: "Wait for the verification verdict: exit 0 passed, 1 failed, 2 error or timeout.")
    var wait = false

    @Option(help: "Seconds --wait waits for a verdict.")
    var timeout: Int = 600

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a number of seconds greater than 0") }
    }

    func run() async throws {
        let endpoint = try feed.endpoint()
        var verdictExitCode: Int32 = 0
        try await reportingClientErrors {
            verdictExitCode = try await FeedConnection.with(endpoint) { connection in
                let pushed = try await push(connection)
                guard wait else { return 0 }
                return try await waitForVerdict(pushed, connection: connection)
            }
        }
        if verdictExitCode != 0 { throw ExitCode(verdictExitCode) }
    }

    private func push(_ connection: FeedConnection) async throws -> FeedVersion {
        let url = URL(fileURLWithPath: file)
        let size = try Self.regularFileSize(url)
        let name: PackageFilename
        do {
            name = try PackageFilename(url.lastPathComponent)
        } catch {
            throw ClientError("\(url.lastPathComponent): \(error.description)")
        }
        let metadataURL = connection.endpoint.url(["api", "packages", name.id.display, name.version.original])
        // Asked before hashing so that a wrong address or key fails at once, not after reading many GiB; it also
        // tells a replaced version from an unchanged one, which the push's answer does not.
        let before = try await existingVersion(metadataURL, connection: connection)

        let hashing = TransferProgress("sha256 \(url.lastPathComponent)", total: size)
        hashing.start()
        let sha256: String
        do {
            sha256 = try FileDigest.sha256(of: url, progress: hashing)
            hashing.finish()
        } catch {
            hashing.finish(succeeded: false)
            throw error
        }

        let uploading = TransferProgress("upload \(url.lastPathComponent)", total: size)
        let body = MultipartFileBody(file: url, fileSize: size, filename: url.lastPathComponent, progress: uploading)
        var request = connection.request(
            connection.endpoint.url(["api", "packages", "raw"], query: [("overwriteMode", overwriteMode.rawValue)]), method: .POST)
        request.headers.add(name: "Content-Type", value: body.contentType)
        request.headers.add(name: "X-Checksum-Sha256", value: sha256)
        request.body = .stream(body, length: .known(body.contentLength))
        uploading.start()
        let response: HTTPClientResponse
        do {
            response = try await connection.send(request)
            uploading.finish(succeeded: (200..<300).contains(response.status.code))
        } catch {
            uploading.finish(succeeded: false)
            throw error
        }
        guard (200..<300).contains(response.status.code) else { throw await connection.failure(response, url: request.url) }
        _ = try? await response.body.collect(upTo: FeedConnection.maxJSONBytes)

        let stored = try await connection.json(FeedVersion.self, from: metadataURL)
        let outcome = Self.outcome(created: response.status.code == 201, before: before, stored: stored, pushed: sha256)
        print("\(stored.packageId) \(stored.version) \(outcome): sha256 \(stored.sha256), \(stored.size) bytes")
        if outcome == "ignored" {
            StandardError.write("note: the feed kept the version it had (IgnoreIfExists); its bytes differ from \(file)\n")
        }
        return stored
    }

    /// created, replaced, unchanged (the same bytes were there) or ignored (IgnoreIfExists kept other bytes).
    static func outcome(created: Bool, before: FeedVersion?, stored: FeedVersion, pushed sha256: String) -> String {
        if created { return "created" }
        if stored.sha256 != sha256 { return "ignored" }
        if let before, before.sha256 != sha256 { return "replaced" }
        return before == nil ? "created" : "unchanged"
    }

    private func existingVersion(_ url: String, connection: FeedConnection) async throws -> FeedVersion? {
        let response = try await connection.send(connection.request(url))
        if response.status.code == 404 {
            _ = try? await response.body.collect(upTo: FeedConnection.maxJSONBytes)
            return nil
        }
        guard response.status.code == 200 else { throw await connection.failure(response, url: url) }
        return try await connection.decode(FeedVersion.self, from: response, url: url)
    }

    private func waitForVerdict(_ version: FeedVersion, connection: FeedConnection) async throws -> Int32 {
        let wait = VerdictWait(connection: connection, packageId: version.packageId, version: version.version, timeout: .seconds(timeout))
        let run = try await wait.finishedRun()
        print(VerdictWait.describe(run, url: connection.endpoint.url(["api", "verifications", String(run.id)])))
        switch run.status {
        case "passed": return 0
        case "failed": return 1
        default: return ClientError.exitCode
        }
    }

    static func regularFileSize(_ url: URL) throws -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ClientError("\(url.path): no such file")
        }
        guard !isDirectory.boolValue, let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let size = (attributes[.size] as? NSNumber)?.int64Value
        else {
            throw ClientError("\(url.path) is not a regular file")
        }
        return size
    }
}

extension OverwriteMode: ExpressibleByArgument {
    /// Case-insensitive, as the server's query parameter is.
    public init?(argument: String) {
        guard let mode = Self.allCases.first(where: { $0.rawValue.lowercased() == argument.lowercased() }) else { return nil }
        self = mode
    }
}
