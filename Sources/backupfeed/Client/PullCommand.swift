import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PackageFeed

/// `backupfeed pull ID`: downloads a version to a directory under its original name, after checking its SHA-256.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download a version of a package, checked against its SHA-256; prints the saved path.",
        discussion: """
            Which version: --version V, --latest (the default: the highest release version) or --latest-verified \
            (the highest version whose latest verification passed). The file is saved in DIR under its original \
            name only once its bytes match the feed's SHA-256; stdout is the saved path and nothing else.

            Exit status: 0 saved, 2 anything else (unknown package or version, no verified version, HTTP error, \
            server unreachable, checksum mismatch), 64 usage error.
            """
    )

    @Argument(help: "The package ID, like PetClinicDB.")
    var id: String

    @Option(help: "A pinned version, like 2022.06.20.")
    var version: String?

    @Flag(help: "The highest release version (the default).")
    var latest = false

    @Flag(help: "The highest version whose latest verification passed.")
    var latestVerified = false

    @OptionGroup var feed: FeedOptions

    @Option(name: [.customShort("o"), .customLong("output-dir")], help: "The directory to save into; created if missing.")
    var outputDir: String

    func validate() throws {
        let chosen = [version != nil, latest, latestVerified].filter { $0 }.count
        guard chosen <= 1 else { throw ValidationError("choose one of --version, --latest and --latest-verified") }
        do {
            _ = try PackageID(id)
            if let version { _ = try PackageVersion(version) }
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let endpoint = try feed.endpoint()
        try await reportingClientErrors {
            let saved = try await FeedConnection.with(endpoint) { connection in try await pull(connection) }
            print(saved.path)
        }
    }

    private var downloadSegments: [String] {
        ["api", "packages", id, version ?? "latest", "download"]
    }

    private func pull(_ connection: FeedConnection) async throws -> URL {
        let url = connection.endpoint.url(downloadSegments, query: latestVerified ? [("verified", "true")] : [])
        // Nothing is created in DIR until the server has answered 200: a missing version leaves no trace.
        let response = try await connection.sendExpectingSuccess(connection.request(url))
        let resolvedVersion = response.headers.first(name: "X-Package-Version") ?? version
        var metadata: FeedVersion?
        func versionMetadata() async throws -> FeedVersion {
            if let metadata { return metadata }
            guard let resolvedVersion else {
                throw ClientError("the server did not say which version it sent (no X-Package-Version header)")
            }
            let fetched = try await connection.json(
                FeedVersion.self, from: connection.endpoint.url(["api", "packages", id, resolvedVersion]))
            metadata = fetched
            return fetched
        }

        var name = response.headers.first(name: "Content-Disposition").flatMap(SafeFilename.fromContentDisposition)
        if let unsafe = name, !SafeFilename.isSafe(unsafe) {
            StandardError.write("note: ignoring the unsafe file name '\(unsafe)' in Content-Disposition\n")
            name = nil
        }
        if name == nil {
            let fromMetadata = try await versionMetadata().filename
            guard SafeFilename.isSafe(fromMetadata) else {
                throw ClientError("the server names the file '\(fromMetadata)', which is not a plain file name; nothing was saved")
            }
            name = fromMetadata
        }
        let filename = name!

        var expected = response.headers.first(name: "X-Checksum-Sha256")?.trimmingCharacters(in: .whitespaces).lowercased()
        if expected == nil { expected = try await versionMetadata().sha256.lowercased() }
        guard let expected, FileDigest.isSHA256(expected) else {
            throw ClientError("the server sent no usable SHA-256 for \(filename), so the download cannot be checked; nothing was saved")
        }

        let progress = TransferProgress(
            "download \(filename)", total: response.headers.first(name: "Content-Length").flatMap(Int64.init))
        let download = try DownloadFile(in: URL(fileURLWithPath: outputDir), for: filename)
        progress.start()
        do {
            for try await chunk in response.body {
                try download.write(chunk.readableBytesView)
                progress.advance(by: chunk.readableBytes)
            }
        } catch {
            progress.finish(succeeded: false)
            download.discard()
            if let error = error as? ClientError { throw error }
            throw ClientError(FeedConnection.describeTransportFailure(error, url: url, server: connection.endpoint.baseURL)
                + "; nothing was saved")
        }
        progress.finish()
        return try download.commit(as: filename, expectedSHA256: expected)
    }
}
