import FeedServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PackageFeed

/// A feed in a fresh temporary data directory with one key of each scope.
struct TestFeed {
    static let adminKey = "API-TESTADMINKEY0000000000000000000"
    let dataDirectory: URL
    let pushKey: String
    let readKey: String
    let configuration: FeedServerConfiguration

    /// Verification is off unless asked for: feed tests push bytes that are no dumps, and a worker judging them in
    /// the background would race the test's own reads of the catalog.
    init(maxUploadSize: Int64 = 64 * 1024 * 1024, privateMetadata: Bool = false, runVerifications: Bool = false) async throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-test-\(UUID().uuidString)")
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let keys = try PackageFeed(dataDirectory: dataDirectory, logger: logger).keys
        pushKey = try await keys.create(name: "pusher", scope: .push).secret
        readKey = try await keys.create(name: "reader", scope: .read).secret
        configuration = FeedServerConfiguration(
            host: "127.0.0.1", port: 0, dataDirectory: dataDirectory, maxUploadSize: maxUploadSize,
            privateMetadata: privateMetadata, adminKey: Self.adminKey, logLevel: .warning,
            runVerifications: runVerifications
        )
    }

    func app() async throws -> some ApplicationProtocol {
        try await buildApplication(configuration)
    }

    /// Files under `blobs/sha256`, to check what landed on disk.
    func blobFiles() throws -> [URL] {
        let root = dataDirectory.appendingPathComponent("blobs/sha256")
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return enumerator.compactMap { $0 as? URL }.filter { $0.lastPathComponent.count == 64 }
    }

    func temporaryFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dataDirectory.appendingPathComponent("tmp").path)
    }

    func remove() {
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}

/// A multipart/form-data body with one file part, as curl -F builds it.
struct MultipartBody {
    let boundary = "----backupfeed\(UUID().uuidString.prefix(8))"
    let data: ByteBuffer

    init(filename: String, bytes: [UInt8], partName: String = "file", extraFieldFirst: Bool = false) {
        var buffer = ByteBuffer()
        if extraFieldFirst {
            buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nnightly\r\n")
        }
        buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(partName)\"; filename=\"\(filename)\"\r\n")
        buffer.writeString("Content-Type: application/zip\r\n\r\n")
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n--\(boundary)--\r\n")
        data = buffer
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}

extension HTTPFields {
    static func key(_ key: String) -> HTTPFields { [.init("X-Octopus-ApiKey")!: key] }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }
}

/// Random bytes that no two tests share (from the kernel: a debug-build loop would take seconds per megabyte).
func randomBytes(_ count: Int) -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: "/dev/urandom") else { fatalError("no /dev/urandom") }
    defer { try? handle.close() }
    return Array(handle.readData(ofLength: count))
}
