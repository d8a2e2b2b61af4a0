import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import BackupVerifier

/// What the OS sandbox itself guarantees, shown with the restore clients as the dump's own code path: psql's
/// backticks in `\unrestrict` (psql 15 runs them even in restricted mode) are the way in, so these tests put a
/// shell command there through the only door left open on purpose, a client started by hand in the sandbox.
/// Each command tries to leave: the network, files outside the run directory, the data of other runs, a
/// process that outlives the run.
@Suite(.enabled(if: EngineTestSupport.runPostgres, "PostgreSQL is not installed (apt-get install postgresql)"))
struct SandboxEscapeTests {
    /// Runs `script` with /bin/sh confined exactly as a sandbox's restore client is.
    func runConfined(_ script: String, in work: URL) async throws -> ProcessResult {
        let user = try SandboxUser.resolve()
        let isolation = try await SandboxSettings().isolation(for: user, engine: "test")
        let directory = try SandboxDirectory.create(in: work, engine: "escape", user: user, isolation: isolation, limits: ResourceLimits())
        let spec = ProcessSpec(
            executable: "/bin/bash", arguments: ["-c", script], workingDirectory: directory.url.path, user: user,
            confinement: directory.confinement)
        return try await ProcessRunner.run(spec, deadline: .now + .seconds(60))
    }

    @Test func confinedProgramsSeeNoNetworkNoOtherFilesAndDieWithTheirRun() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let outside = EngineTestSupport.root.appendingPathComponent("pwned-\(UUID().uuidString)").path
        // Another run's directory beside this one, with a file in it.
        let neighbour = try EngineTestSupport.workDirectory().appendingPathComponent("secret.txt")
        try "another run's data".write(to: neighbour, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: neighbour.deletingLastPathComponent()) }
        let listener = try TCPListener()
        defer { listener.close() }
        let result = try await runConfined("""
            echo "uid=$(id -u)"
            touch \(outside) 2>/dev/null
            touch /etc/backupfeed-pwned /usr/backupfeed-pwned 2>/dev/null && echo WROTE-SYSTEM
            cat \(neighbour.path) >/dev/null 2>&1 && echo SAW-OTHER-RUNS
            ls /work /root /var/lib 2>/dev/null | head -1 | grep -q . && echo SAW-HOST-DIRS
            (exec 3<>/dev/tcp/127.0.0.1/\(listener.port)) 2>/dev/null && echo CONNECTED
            cat /proc/1/cmdline | tr '\\0' ' ' | grep -q bwrap && echo OWN-PID-NAMESPACE
            setsid sh -c 'sleep 300' </dev/null >/dev/null 2>&1 &
            echo done
            """, in: work)
        #expect(result.output.contains("done"), "\(result.output)")
        // Paths outside the run land in the sandbox's own empty tree (gone with it), the system is read-only.
        #expect(!FileManager.default.fileExists(atPath: outside))
        #expect(!result.output.contains("WROTE-SYSTEM"))
        #expect(!result.output.contains("SAW-OTHER-RUNS"))
        #expect(!result.output.contains("SAW-HOST-DIRS"))
        #expect(!result.output.contains("CONNECTED"))
        #expect(listener.acceptedConnections() == 0)
        #expect(result.output.contains("OWN-PID-NAMESPACE"))
        if geteuid() == 0 { #expect(!result.output.contains("uid=0")) }
        // The setsid child was in the sandbox's PID namespace: it died with the sandbox.
        try await Task.sleep(for: .milliseconds(300))
        #expect(EngineTestSupport.processes(mentioning: "sleep 300").isEmpty)
    }

    @Test func limitsStopRunawayPrograms() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try await runConfined("ulimit -v; ulimit -u; ulimit -n; ulimit -c", in: work)
        let values = result.output.split(whereSeparator: \.isNewline).map(String.init)
        let limits = ResourceLimits()
        #expect(values == ["\(limits.addressSpaceBytes / 1024)", "\(limits.processes)", "\(limits.openFiles)", "0"], "\(result.output)")
    }
}

/// A TCP listener on loopback that counts connections, to prove a sandbox cannot reach it.
final class TCPListener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) } }
        guard bound == 0, listen(socketFD, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) } }
        _ = fcntl(socketFD, F_SETFL, O_NONBLOCK)
        fd = socketFD
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Connections waiting to be accepted (each accepted and closed here).
    func acceptedConnections() -> Int {
        var count = 0
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return count }
            Glibc.close(client)
            count += 1
        }
    }

    func close() { Glibc.close(fd) }
}
