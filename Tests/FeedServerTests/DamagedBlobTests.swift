import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A blob cut short on disk after it was stored (a failing disk, a careless rsync) must not leave a download
/// hanging on a promised Content-Length: the server answers at once that the stored file is damaged.
@Suite struct DamagedBlobTests {
    @Test func truncatedBlobIsReportedInsteadOfHangingTheDownload() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.live) { client in
            let bytes = (0..<5000).map { _ in UInt8.random(in: 0...255) }
            let push = try await client.execute(
                uri: "/api/packages/Cut/1.0.0?extension=zip", method: .put, headers: .key(feed.pushKey), body: ByteBuffer(bytes: bytes))
            #expect(push.status == .created)
            let blob = try #require(try feed.blobFiles().first)
            let handle = try FileHandle(forWritingTo: blob)
            try handle.truncate(atOffset: 1000)
            try handle.close()

            // The live client gives up after 15 s: a hang fails the test with a timeout.
            let download = try await client.execute(uri: "/api/packages/Cut/1.0.0/download", method: .get, headers: .key(feed.readKey))
            #expect(download.status == .internalServerError)
            #expect(download.text.contains("damaged"), "\(download.text)")
            #expect(download.text.contains("1000 bytes on disk, 5000 recorded"), "\(download.text)")
            let ranged = try await client.execute(
                uri: "/api/packages/Cut/1.0.0/download", method: .get, headers: [.init("X-Octopus-ApiKey")!: feed.readKey, .range: "bytes=0-99"])
            #expect(ranged.status == .internalServerError)
        }
    }
}
