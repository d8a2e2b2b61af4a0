import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import BackupVerifier

/// Templates are the server's, read-only, and never used once something changed them.
@Suite(.enabled(if: EngineTestSupport.runPostgres, "PostgreSQL is not installed (apt-get install postgresql)"))
struct TemplateSealTests {
    @Test func aChangedTemplateIsRebuiltNotCopied() async throws {
        let root = EngineTestSupport.root.appendingPathComponent("templates-\(UUID().uuidString.prefix(8))", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let engine = PostgresEngine(templateRoot: root)
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let first = try await engine.makeSandbox(database: "a", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        await first.tearDown()

        let template = try #require(try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("postgres-") })
        let config = template.appendingPathComponent("data/postgresql.conf")
        var info = stat()
        #expect(stat(config.path, &info) == 0)
        #expect(info.st_mode & 0o022 == 0, "the template is writable by group or others")
        if geteuid() == 0 { #expect(info.st_uid == 0, "the template belongs to the sandbox account") }

        // Poison it as an older run could: the next sandbox must not start from it.
        let handle = try FileHandle(forWritingTo: config)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("shared_preload_libraries = 'does_not_exist'\n".utf8))
        try handle.close()
        #expect(TemplateSeal.check(template) != nil)

        let second = try await engine.makeSandbox(database: "b", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        #expect(try await second.tables().isEmpty)
        await second.tearDown()
        #expect(TemplateSeal.check(template) == nil)
        let rebuilt = try String(contentsOf: config, encoding: .utf8)
        #expect(!rebuilt.contains("does_not_exist"))
    }
}
