import Foundation
import Testing

/// Dockerfile and docker-compose.yml, checked by reading them (no Docker engine runs here) with
/// scripts/check-container.py: build and slim runtime stages, non-root user, the UI and binary copied, the port,
/// the /health healthcheck, a named volume on the data directory, the admin key from the environment.
@Suite(.enabled(if: PythonTool.runYAML, "PyYAML is not installed (scripts/test.sh installs it with pip)"))
struct ContainerFilesTests {
    static let checker = PythonTool.repositoryRoot.appendingPathComponent("scripts/check-container.py")

    @Test func theRepositoryFilesMeetEveryRequirement() async throws {
        let result = try await PythonTool.run([Self.checker.path, PythonTool.repositoryRoot.path], timeout: 60)
        #expect(result.status == 0, "scripts/check-container.py: \(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }

    /// One requirement broken in a copy of the files; the checker must refuse it and say which.
    struct Mutation: Sendable, CustomTestStringConvertible {
        let file: String
        let find: String
        let replace: String
        let expected: String
        var testDescription: String { "\(file): \(expected)" }
    }

    static let mutations = [
        Mutation(file: "Dockerfile", find: "USER backupfeed\n", replace: "", expected: "runs as root"),
        Mutation(file: "Dockerfile", find: "FROM debian:bookworm-slim AS runtime", replace: "FROM swift:6.3-bookworm AS runtime", expected: "full toolchain image"),
        Mutation(file: "Dockerfile", find: "--static-swift-stdlib", replace: "", expected: "--static-swift-stdlib"),
        Mutation(file: "Dockerfile", find: "COPY Public /usr/share/backupfeed/Public\n", replace: "", expected: "does not copy Public/"),
        Mutation(file: "Dockerfile", find: "COPY --from=build", replace: "COPY --from=elsewhere", expected: "does not copy the backupfeed binary"),
        Mutation(file: "Dockerfile", find: " mariadb-server", replace: "", expected: "does not install mariadb-server"),
        Mutation(file: "Dockerfile", find: "install -d -o backupfeed -g backupfeed -m 0750 /var/lib/backupfeed/data", replace: "true", expected: "owned by backupfeed"),
        Mutation(file: "Dockerfile", find: "EXPOSE 8080", replace: "EXPOSE 9000", expected: "EXPOSEs"),
        Mutation(file: "docker-compose.yml", find: "context: .", replace: "context: ./Sources", expected: "must be '.'"),
        Mutation(file: "docker-compose.yml", find: "\"127.0.0.1:8080:8080\"", replace: "\"127.0.0.1:8080:9090\"", expected: "maps container ports"),
        Mutation(file: "docker-compose.yml", find: "http://127.0.0.1:8080/health", replace: "http://127.0.0.1:8080/", expected: "healthcheck does not ask"),
        Mutation(file: "docker-compose.yml", find: "- backupfeed-data:/var/lib/backupfeed/data", replace: "- ./data:/var/lib/backupfeed/data", expected: "not a named volume"),
        Mutation(file: "docker-compose.yml", find: "- backupfeed-data:/var/lib/backupfeed/data", replace: "- backupfeed-data:/data", expected: "no volume is mounted at the data directory"),
        Mutation(file: "docker-compose.yml", find: "${BACKUPFEED_ADMIN_KEY:?set BACKUPFEED_ADMIN_KEY}", replace: "API-WRITTENINTHEFILE000000", expected: "must come from the environment"),
        Mutation(file: "docker-compose.yml", find: "services:", replace: "services: {}\nunused:", expected: "no services"),
        Mutation(file: "Dockerfile", find: "COPY Tests ./Tests\n", replace: "", expected: "does not copy Tests"),
        Mutation(file: ".dockerignore", find: "docs\n", replace: "docs\nTests\n", expected: ".dockerignore leaves Tests out"),
    ]

    @Test(arguments: mutations)
    func aBrokenRequirementIsNamed(_ mutation: Mutation) async throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("container-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        for name in ["Dockerfile", "docker-compose.yml", ".dockerignore"] {
            var text = try String(contentsOf: PythonTool.repositoryRoot.appendingPathComponent(name), encoding: .utf8)
            if name == mutation.file {
                try #require(text.contains(mutation.find), "the mutation's anchor is gone from \(name); update the test")
                text = text.replacingOccurrences(of: mutation.find, with: mutation.replace)
            }
            try text.write(to: copy.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let result = try await PythonTool.run([Self.checker.path, copy.path], timeout: 60)
        #expect(result.status == 1, "the checker accepted a broken \(mutation.file): \(result.output)")
        #expect(result.output.contains(mutation.expected), "expected a problem naming \"\(mutation.expected)\": \(result.output)")
    }
}
