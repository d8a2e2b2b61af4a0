@testable import FeedServer
import Foundation
import Testing

/// The first admin key's file: created afresh with mode 0600, never through a planted symlink.
/// (That the server writes it and logs only its path: `CommandLineTests`.)
@Suite struct AdminKeyFileTests {
    @Test func aLeftoverKeyFileIsReplacedWithMode0600() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-keyfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("initial-admin-key")
        try Data("old".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try AdminKeyBootstrap.writePrivately("API-NEW\n", to: file)
        #expect((try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOf: file, encoding: .utf8) == "API-NEW\n")
        // A symlink planted in its place is not followed.
        let target = directory.appendingPathComponent("elsewhere")
        try FileManager.default.removeItem(at: file)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: target)
        try AdminKeyBootstrap.writePrivately("API-NEWER\n", to: file)
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }
}
