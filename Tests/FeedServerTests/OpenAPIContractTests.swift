import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// docs/openapi.yaml is the contract users script against: it must be a valid OpenAPI document, and the real
/// server must keep it. schemathesis generates requests from the document (valid and invalid ones) against the
/// real `backupfeed serve` binary and checks every answer against it.
@Suite(.enabled(if: PythonTool.runSchemathesis, "schemathesis is not installed (scripts/test.sh installs it with pip)"))
struct OpenAPIContractTests {
    static let specification = PythonTool.repositoryRoot.appendingPathComponent("docs/openapi.yaml")
    static let adminKey = "API-OPENAPICONTRACT000000000000000"

    /// What schemathesis checks on every answer. Left out, and why:
    /// - `positive_data_acceptance`: the document states some rules only in words (the package ID and version
    ///   grammar, a version part must fit 64 bits, unique check names, parseable `expect`, the multipart filename),
    ///   so requests that are valid by the schema alone are rightly refused with 400.
    /// - `negative_data_rejection`: HTTP lets a server ignore a malformed `Range`/`If-Range` (RFC 9110 §14.2), and an
    ///   empty optional header or an unknown query parameter is ignored by design; these are not bugs.
    /// - `unsupported_method`: Hummingbird's router answers 404, not 405, for a known path with another method.
    /// - `use_after_free`, `ensure_resource_availability`: need links between operations, which the document has not.
    static let checks = [
        "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
        "response_headers_conformance", "ignored_auth",
    ].joined(separator: ",")

    @Test func theDocumentIsValidOpenAPI() async throws {
        let result = try await PythonTool.run(["-m", "openapi_spec_validator", Self.specification.path], timeout: 120)
        #expect(result.status == 0, "openapi-spec-validator: \(result.output)")
    }

    /// Seeds a feed with verified versions, a policy and a webhook so that read routes have data, then lets
    /// schemathesis loose on every operation with an admin key; deletes run after the others, so that those still
    /// find the seed; a short last pass sends no key. `--workers 1`: hypothesis raised internal errors with two.
    @Test(.enabled(if: Verification.runServerProcess, "backupfeed was not built"))
    func theLiveServerKeepsTheDocument() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-openapi-\(UUID().uuidString)")
        let sandbox = try Verification.privateSandbox()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer {
            for directory in [data, sandbox, work] { try? FileManager.default.removeItem(at: directory) }
        }
        let server = try await ServerProcess(
            dataDirectory: data, adminKey: Self.adminKey,
            extraArguments: [
                "--public-dir", PythonTool.repositoryRoot.appendingPathComponent("Public").path, "--sandbox-dir", sandbox.path,
                // The seeded webhook points at 127.0.0.1.
                "--allow-private-targets",
                // schemathesis sends invalid keys on purpose (its authentication checks); throttled, every request with a
                // key from this address would answer 429 and leave the routes untested. FailedKeyThrottleTests cover it.
                "--failed-key-burst", "0",
            ]
        )
        defer { server.kill(signal: SIGTERM) }
        try await seed(server)

        let key = ["--header", "X-Octopus-ApiKey: \(Self.adminKey)"]
        let passes: [(name: String, arguments: [String])] = [
            ("all but DELETE", key + ["--exclude-method", "DELETE", "--max-examples", "20"]),
            ("DELETE", key + ["--include-method", "DELETE", "--max-examples", "20"]),
            // Without a key: every refusal (401, in the native or the Octopus shape) must be documented too.
            ("without a key", ["--max-examples", "5", "--phases", "examples,fuzzing"]),
        ]
        for (name, arguments) in passes {
            let run = try await schemathesis(server, work: work, arguments: arguments)
            #expect(run.status == 0, "schemathesis (\(name)) found answers that break docs/openapi.yaml:\n\(run.tail)")
            // A run that selected nothing, or stopped before testing what it selected, proves nothing.
            let selected = run.tail.firstMatch(of: /Selected: (\d+)\/\d+/).flatMap { Int($0.1) } ?? 0
            let tested = run.tail.firstMatch(of: /Tested: (\d+)/).flatMap { Int($0.1) } ?? 0
            #expect(selected > 0 && tested == selected, "schemathesis (\(name)) tested \(tested) of \(selected) operations:\n\(run.tail)")
        }
        #expect(try await Curl.run(["\(server.baseURL)/health"]).status == 200, "the server survived the run")
    }

    private func seed(_ server: ServerProcess) async throws {
        let client = FeedClient(baseURL: server.baseURL, pushKey: Self.adminKey, readKey: Self.adminKey, adminKey: Self.adminKey)
        let policy = try await client.request(
            "PUT", "/api/packages/PetClinicDB/policy", key: Self.adminKey,
            body: #"{"checks": [{"name": "owners", "sql": "select count(*) from owners", "expect": "> 0"}], "maxAgeHours": 26, "reverifyDays": 7, "retention": {"keepLast": 10}}"#
        )
        #expect(policy.status == 200, "policy: \(policy.status) \(policy.body)")
        let webhook = try await client.request(
            "POST", "/api/webhooks", key: Self.adminKey,
            body: #"{"url": "http://127.0.0.1:9/backupfeed-hook", "events": ["version.pushed", "verification.failed"], "secret": "s3cret"}"#
        )
        #expect(webhook.status == 201, "webhook: \(webhook.status) \(webhook.body)")

        let zip = try Verification.zip(file: Verification.petclinic("petclinic.sqlite.sql"))
        defer { Verification.discard(zip) }
        for version in ["2022.06.19", "2022.06.20"] {
            try await client.push(zip, id: "PetClinicDB", version: version)
            let verdict = try await client.waitForVerdict("PetClinicDB", version)
            #expect(verdict["status"] as? String == "passed", "seed \(version): \(verdict)")
        }
    }

    private func schemathesis(_ server: ServerProcess, work: URL, arguments extra: [String]) async throws -> (status: Int32, tail: String) {
        // The console script may not be on PATH (pyenv shims, --user installs); the module always is.
        let entry = "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; schemathesis()"
        let arguments = [
            "-c", entry, "run", Self.specification.path, "--url", server.baseURL, "--checks", Self.checks,
            "--workers", "1", "--request-timeout", "30", "--generation-database", "none", "--no-color",
        ] + extra
        let result = try await PythonTool.run(arguments, in: work, timeout: 300)
        let tail = (result.timedOut ? "timed out after 300 s\n" : "") + String(result.output.suffix(12_000))
        return (result.timedOut ? -1 : result.status, tail)
    }
}
