import Foundation
import Testing

@testable import BackupVerifier

#if canImport(Glibc)
import Glibc
#endif

/// Which account database servers and restore clients run as.
struct MariaDBPostgresSandboxUserTests {
    @Test func asRootTheSandboxUserIsNobodyOrTheConfiguredAccountNeverRoot() throws {
        guard geteuid() == 0 else {
            // Unprivileged, everything runs as ourselves.
            #expect(try SandboxUser.resolve() == nil)
            return
        }
        #expect(try SandboxUser.resolve(environment: [:])?.name == "nobody")
        #expect(try SandboxUser.resolve(environment: ["BACKUPFEED_SANDBOX_USER": "65534"])?.uid == 65534)
        #expect(throws: EngineError.self) { try SandboxUser.resolve(environment: ["BACKUPFEED_SANDBOX_USER": "root"]) }
        #expect(throws: EngineError.self) { try SandboxUser.resolve(environment: ["BACKUPFEED_SANDBOX_USER": "no-such-user-\(UUID().uuidString.prefix(6))"]) }
    }

    @Test func aDirectoryTheSandboxUserCannotEnterIsReportedWithTheFix() throws {
        guard geteuid() == 0, let nobody = try SandboxUser.resolve(environment: [:]) else { return }
        let closed = URL(fileURLWithPath: "/tmp/backupfeed-closed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: closed, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: closed) }
        #expect {
            try SandboxFiles.checkSearchable(closed.appendingPathComponent("run"), by: nobody)
        } throws: { error in
            guard case EngineError.internalFailure(let reason) = error else { return false }
            return reason.contains("chmod o+x \(closed.path)")
        }
    }
}
