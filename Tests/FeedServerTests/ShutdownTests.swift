import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `backupfeed serve` binary stopped with SIGTERM while a slow upload (curl --limit-rate) is on the wire:
/// within `--shutdown-grace` the upload finishes and is kept; past it the upload is cut off and leaves nothing;
/// either way the process exits 0.
@Suite(.serialized) struct ShutdownTests {
    static let admin = "API-SHUTDOWNADMIN0000000000000000"

    static func dataDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-shutdown-\(UUID().uuidString)")
    }

    /// Files in DATA/tmp, where uploads are written until they are published.
    static func temporaryFiles(_ data: URL) -> [URL] {
        let tmp = data.appendingPathComponent("tmp")
        return ((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []).map { tmp.appendingPathComponent($0) }
    }

    /// Waits until an upload has started writing its temporary file, so that the signal comes mid-upload.
    static func waitForUploadInProgress(_ data: URL, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        func written() -> Bool {
            temporaryFiles(data).contains { ((try? FileManager.default.attributesOfItem(atPath: $0.path)[.size]) as? Int ?? 0) > 0 }
        }
        while !written(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(written(), "the upload started", sourceLocation: sourceLocation)
    }

    /// `curl -T` (a raw PUT) throttled to `rate`.
    static func slowPut(_ file: URL, to server: ServerProcess, path: String, rate: String) -> Task<Curl.Result, any Error> {
        let url = server.baseURL + path
        return Task { try await Curl.run(["-T", file.path, "--limit-rate", rate, "-H", "X-Octopus-ApiKey: \(admin)", url]) }
    }

    @Test(.enabled(if: Verification.runServerProcess, "needs the backupfeed executable"))
    func anUploadInFlightFinishesWithinTheGraceAndIsKept() async throws {
        let data = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let size = 3 * 1024 * 1024
        let file = try temporaryFile(named: "Slow.1.0.0.zip", bytes: randomBytes(size))
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }

        let server = try await ServerProcess(dataDirectory: data, adminKey: Self.admin, extraArguments: ["--shutdown-grace", "120"])
        defer { if server.process.isRunning { server.send(SIGKILL) } }
        // About 6 s on the wire at 512 KiB/s.
        let upload = Self.slowPut(file, to: server, path: "/api/packages/Slow/1.0.0", rate: "512K")
        try await Self.waitForUploadInProgress(data)
        server.send(SIGTERM)

        // The listener closes at once: a new connection is refused while the upload still runs.
        var refused = false
        let deadline = ContinuousClock.now + .seconds(20)
        while !refused, ContinuousClock.now < deadline, server.process.isRunning {
            refused = try await Curl.run(["--max-time", "5", server.baseURL + "/health"]).status == 0
            if !refused { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(refused, "new connections are refused once shutdown began")
        #expect(server.process.isRunning, "the server waits for the upload in flight")

        let result = try await upload.value
        #expect(result.status == 201, "\(result.status) \(result.body) \(result.stderr)")
        #expect(try await server.exitStatus(within: .seconds(60)) == 0)
        #expect(Self.temporaryFiles(data).isEmpty)

        let restarted = try await ServerProcess(dataDirectory: data, adminKey: Self.admin)
        defer { if restarted.process.isRunning { restarted.send(SIGKILL) } }
        let metadata = try await Curl.run([restarted.baseURL + "/api/packages/Slow/1.0.0"])
        #expect(metadata.status == 200, "\(metadata.body)")
        let json = (try? JSONSerialization.jsonObject(with: Data(metadata.body.utf8))) as? [String: Any]
        #expect(json?["size"] as? Int == size, "the whole file was kept: \(metadata.body)")
        restarted.send(SIGTERM)
        #expect(try await restarted.exitStatus(within: .seconds(60)) == 0, "an idle server stops at once, with status 0")
    }

    @Test(.enabled(if: Verification.runServerProcess, "needs the backupfeed executable"))
    func anUploadStillRunningWhenTheGraceEndsIsCutOffAndLeavesNothing() async throws {
        let data = Self.dataDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let file = try temporaryFile(named: "Huge.1.0.0.zip", bytes: randomBytes(32 * 1024 * 1024))
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }

        let server = try await ServerProcess(dataDirectory: data, adminKey: Self.admin, extraArguments: ["--shutdown-grace", "1"])
        defer { if server.process.isRunning { server.send(SIGKILL) } }
        // Over a minute on the wire at 512 KiB/s.
        let upload = Self.slowPut(file, to: server, path: "/api/packages/Huge/1.0.0", rate: "512K")
        try await Self.waitForUploadInProgress(data)
        let stopping = ContinuousClock.now
        server.send(SIGTERM)
        let status = try await server.exitStatus(within: .seconds(60))
        let took = ContinuousClock.now - stopping
        #expect(status == 0)
        #expect(took >= .seconds(1), "the upload had its grace second: \(took)")
        #expect(took < .seconds(15), "stopped soon after the 1 s grace, not after the upload: \(took)")

        let result = try await upload.value
        #expect(result.status != 201 && result.status != 200, "\(result.status) \(result.body)")
        // Checked before a restart, whose startup sweep would remove leftovers anyway.
        #expect(Self.temporaryFiles(data).isEmpty, "the cut-off upload's temporary file was removed: \(Self.temporaryFiles(data))")

        let restarted = try await ServerProcess(dataDirectory: data, adminKey: Self.admin)
        defer { if restarted.process.isRunning { restarted.send(SIGKILL) } }
        #expect(try await Curl.run([restarted.baseURL + "/api/packages/Huge/1.0.0"]).status == 404, "nothing was published")
        restarted.send(SIGTERM)
        #expect(try await restarted.exitStatus(within: .seconds(60)) == 0)
    }

    /// A verification running while an upload holds the shutdown open: when the grace ends it is stopped, its
    /// sandbox removed and its job queued again (not finished): after the restart the same job is running again.
    @Test(.enabled(if: Verification.runServerProcess, "needs the backupfeed executable"))
    func aRunningVerificationIsStoppedAndQueuedAgainWhenTheGraceEnds() async throws {
        let data = Self.dataDirectory()
        let sandbox = try Verification.privateSandbox()
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: sandbox) }
        let zip = try Verification.zip(file: Verification.petclinic("petclinic.sqlite.sql"))
        defer { Verification.discard(zip) }
        let file = try temporaryFile(named: "Huge.1.0.0.zip", bytes: randomBytes(16 * 1024 * 1024))
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let arguments = ["--sandbox-dir", sandbox.path, "--verify-concurrency", "1", "--shutdown-grace", "2"]

        let server = try await ServerProcess(dataDirectory: data, adminKey: Self.admin, extraArguments: arguments)
        defer { if server.process.isRunning { server.send(SIGKILL) } }
        let client = FeedClient(baseURL: server.baseURL, pushKey: Self.admin, readKey: Self.admin, adminKey: Self.admin)
        // Minutes of SQLite work, far beyond the policy's 300 s timeout: only a stop ends this run early.
        let slow = #"{"timeoutSeconds":300,"checks":[{"name":"slow","sql":"select count(*) from (with recursive c(x) as (select 1 union all select x+1 from c where x < 100000000000) select x from c)","expect":"> 0"}]}"#
        #expect(try await client.setPolicy("SlowLite", slow).status == 200)
        try await client.push(zip, id: "SlowLite", version: "1.0.0")
        let running = try await client.waitForStatus("running", "SlowLite", "1.0.0")
        #expect(!Verification.runDirectories(in: sandbox).isEmpty, "the run has its sandbox")

        // Over a minute on the wire at 256 KiB/s: it holds the shutdown open for the whole grace.
        let upload = Self.slowPut(file, to: server, path: "/api/packages/Huge/1.0.0", rate: "256K")
        try await Self.waitForUploadInProgress(data)
        let stopping = ContinuousClock.now
        server.send(SIGTERM)
        #expect(try await server.exitStatus(within: .seconds(90)) == 0)
        let took = ContinuousClock.now - stopping
        #expect(took >= .seconds(2) && took < .seconds(60), "stopped after the 2 s grace: \(took)")
        _ = try await upload.value
        #expect(Verification.runDirectories(in: sandbox).isEmpty, "the stopped run's sandbox was removed")
        #expect(Verification.processes(mentioning: sandbox.path + "/").isEmpty)
        #expect(Self.temporaryFiles(data).isEmpty)

        let restarted = try await ServerProcess(dataDirectory: data, adminKey: Self.admin, extraArguments: arguments)
        defer { if restarted.process.isRunning { restarted.send(SIGKILL) } }
        let again = FeedClient(baseURL: restarted.baseURL, pushKey: Self.admin, readKey: Self.admin, adminKey: Self.admin)
        let rerun = try await again.waitForStatus("running", "SlowLite", "1.0.0", timeout: .seconds(90))
        #expect(rerun["id"] as? Int == running["id"] as? Int, "the stopped job itself was queued again and runs again")
        #expect(try await again.reports("SlowLite", "1.0.0").count == 1, "no verdict was recorded for the stopped run")
        #expect(try await again.get("/api/packages/Huge/1.0.0").status == 404, "the cut-off upload was not published")

        // Without an upload in flight a stop does not wait for the grace: the run is stopped at once.
        let secondStop = ContinuousClock.now
        restarted.send(SIGTERM)
        #expect(try await restarted.exitStatus(within: .seconds(60)) == 0)
        #expect(ContinuousClock.now - secondStop < .seconds(20), "the default 30 s grace was not waited out")
        #expect(Verification.runDirectories(in: sandbox).isEmpty)
    }
}
