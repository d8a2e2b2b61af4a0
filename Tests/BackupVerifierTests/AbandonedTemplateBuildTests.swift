import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import BackupVerifier

/// A template build killed before it wrote its crash marker is recognised by the builder named in its directory.
@Suite struct AbandonedTemplateBuildTests {
    @Test func buildsOfDeadBuildersWithoutAMarkerAreRemovedOthersStay() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("abandoned-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let me = "\(getpid())-\(RunDirectory.startTime(of: getpid()) ?? 0)"
        let names = [
            "dead": ".k.building-2147483646-12345-aaaaaaaa",
            "reused": ".k.building-\(getpid())-1-bbbbbbbb",
            "live": ".k.building-\(me)-cccccccc",
            "marked": ".k.building-2147483646-12345-dddddddd",
            "legacy": ".k.building-EEEEEEEE",
            "otherKey": ".j.building-2147483646-12345-ffffffff",
        ]
        for name in names.values {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: root.appendingPathComponent(names["marked"]!).appendingPathComponent(SandboxDirectory.markerName).path, contents: Data("{}".utf8))

        SandboxTemplateCache.removeAbandonedBuilds(in: root, key: "k")

        let left = Set(try FileManager.default.contentsOfDirectory(atPath: root.path))
        #expect(!left.contains(names["dead"]!))
        #expect(!left.contains(names["reused"]!), "same pid, other start time: a reused pid")
        #expect(left.contains(names["live"]!))
        #expect(left.contains(names["marked"]!), "marked ones are SandboxCleanup's")
        #expect(left.contains(names["legacy"]!))
        #expect(left.contains(names["otherKey"]!))
    }
}
