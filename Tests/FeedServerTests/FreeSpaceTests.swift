@testable import FeedServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Uploads that would leave the data directory's filesystem below the free-space floor: 507 before the body when
/// its length says so, 507 in the middle when a body without a length (or the disk) runs out, and nothing left behind.
@Suite struct FreeSpaceTests {
    /// A floor just above what is free now: any upload would go below it. The real filesystem, no disk filled.
    static func floorAboveFreeSpace(_ feed: TestFeed) throws -> Int64 {
        let free = try #require(FreeSpaceGuard.availableBytes(feed.dataDirectory))
        return free + 256 * 1024 * 1024
    }

    @Test func uploadsThatWouldGoBelowTheFloorAre507BeforeTheBody() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        var configuration = feed.configuration
        configuration.minFreeSpace = try Self.floorAboveFreeSpace(feed)
        let file = try temporaryFile(named: "Full.1.0.0.zip", bytes: randomBytes(300_000))
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try await buildApplication(configuration).test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let key = ["-H", "X-Octopus-ApiKey: \(feed.pushKey)"]
            let variants: [[String]] = [
                key + ["-T", file.path, "\(base)/api/packages/Full/1.0.0"],
                key + ["-T", file.path, "-H", "Transfer-Encoding: chunked", "\(base)/api/packages/Full/1.0.1"],
                key + ["-F", "file=@\(file.path)", "\(base)/api/packages/raw"],
                key + ["-F", "file=@\(file.path)", "\(base)/api/Spaces-1/packages/raw"],
            ]
            for arguments in variants {
                let reply = try await Curl.run(arguments)
                #expect(reply.status == 507, "\(arguments.suffix(2)): \(reply.status) \(reply.body)")
                #expect(reply.body.contains("--min-free-space"), "\(reply.body)")
            }
            #expect(try feed.temporaryFiles().isEmpty)
            #expect(try feed.blobFiles().isEmpty)
            #expect(try await Curl.run(["\(base)/api/packages/Full/versions"]).status == 404)
            #expect(try await Curl.run(["\(base)/health"]).status == 200)
        }
    }

    @Test func aBodyWithoutLengthIsStoppedWhenTheDiskReachesTheFloorMidway() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        var configuration = feed.configuration
        // A disk with 20 MiB above the floor, shrinking by what the upload writes (the temp files are the only writer).
        let floor: Int64 = 1 << 30
        let tmp = feed.dataDirectory.appendingPathComponent("tmp")
        configuration.minFreeSpace = floor
        configuration.freeSpaceProbe = { _ in
            let written = (try? FileManager.default.contentsOfDirectory(at: tmp, includingPropertiesForKeys: [.fileSizeKey]))?
                .compactMap { try? $0.resourceValues(forKeys: [.fileSizeKey]).fileSize }.reduce(0, +) ?? 0
            return floor + 20 * 1024 * 1024 - Int64(written)
        }
        let file = try temporaryFile(named: "Big.1.0.0.zip", bytes: randomBytes(64 * 1024 * 1024))
        let small = try temporaryFile(named: "Small.1.0.0.zip", bytes: randomBytes(1024 * 1024))
        defer {
            try? FileManager.default.removeItem(at: file.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: small.deletingLastPathComponent())
        }
        try await buildApplication(configuration).test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let key = ["-H", "X-Octopus-ApiKey: \(feed.pushKey)"]
            // With its length declared, a body that does not fit is refused before it is read.
            let declared = try await Curl.run(key + ["-T", file.path, "\(base)/api/packages/Big/1.0.0"])
            #expect(declared.status == 507, "\(declared.body)")
            for arguments in [
                key + ["-T", file.path, "-H", "Transfer-Encoding: chunked", "\(base)/api/packages/Big/1.0.1"],
                key + ["-F", "file=@\(file.path)", "-H", "Transfer-Encoding: chunked", "\(base)/api/packages/raw"],
            ] {
                let reply = try await Curl.run(arguments)
                #expect(reply.status == 507, "\(reply.status) \(reply.body) \(reply.stderr)")
            }
            var leftovers = try feed.temporaryFiles()
            for _ in 0..<50 where !leftovers.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                leftovers = try feed.temporaryFiles()
            }
            #expect(leftovers.isEmpty, "the partial temp file is removed: \(leftovers)")
            #expect(try feed.blobFiles().isEmpty)
            // What fits still goes through.
            let fits = try await Curl.run(key + ["-T", small.path, "-H", "Transfer-Encoding: chunked", "\(base)/api/packages/Small/1.0.0"])
            #expect(fits.status == 201, "\(fits.body)")
        }
    }

    @Test func theCheckRunsAtIntervalsAndAFailingProbeRefusesNothing() throws {
        #expect(!FreeSpaceGuard.isDue(previous: 0, current: FreeSpaceGuard.checkInterval - 1))
        #expect(FreeSpaceGuard.isDue(previous: FreeSpaceGuard.checkInterval - 1, current: FreeSpaceGuard.checkInterval))
        #expect(FreeSpaceGuard.isDue(previous: 0, current: 3 * FreeSpaceGuard.checkInterval))
        let directory = URL(fileURLWithPath: "/")
        try FreeSpaceGuard(directory: directory, floor: 1 << 40, probe: { _ in nil }).check(incoming: 1 << 40)
        try FreeSpaceGuard(directory: directory, floor: 0, probe: { _ in 0 }).check(incoming: 1 << 40)
        #expect(throws: InsufficientStorageError.self) {
            try FreeSpaceGuard(directory: directory, floor: 100, probe: { _ in 150 }).check(incoming: 51)
        }
        try FreeSpaceGuard(directory: directory, floor: 100, probe: { _ in 150 }).check(incoming: 50)
    }
}
