import Foundation
import Testing

/// docs/runbooks/kubernetes-cronjob.yaml, read with PyYAML: a CronJob whose container runs the tested runbook
/// script backup-postgres.sh, mounted from a ConfigMap of that file, with every variable the script requires.
@Suite(.enabled(if: PythonTool.runYAML, "PyYAML is not installed (scripts/test.sh installs it with pip)"))
struct KubernetesCronJobTests {
    static let manifest = PythonTool.repositoryRoot.appendingPathComponent("docs/runbooks/kubernetes-cronjob.yaml")
    static let script = PythonTool.repositoryRoot.appendingPathComponent("docs/runbooks/backup-postgres.sh")

    /// The manifest as JSON, parsed by PyYAML (every document of the file).
    static func documents() async throws -> [[String: Any]] {
        let program = "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))"
        let result = try await PythonTool.run(["-c", program, manifest.path], timeout: 60)
        guard result.status == 0 else { throw FeedClientError.status(Int(result.status), result.output) }
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] ?? []
    }

    @Test func theCronJobRunsTheTestedBackupScript() async throws {
        let documents = try await Self.documents()
        let cronJob = try #require(documents.first { $0["kind"] as? String == "CronJob" }, "no CronJob in the manifest")
        #expect(cronJob["apiVersion"] as? String == "batch/v1")
        let spec = try #require(cronJob["spec"] as? [String: Any])
        let schedule = try #require(spec["schedule"] as? String)
        #expect(schedule.split(separator: " ").count == 5, "a five-field cron schedule: \(schedule)")
        #expect(spec["concurrencyPolicy"] as? String == "Forbid", "two dumps of one database must not overlap")

        let pod = try #require(((spec["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])?["template"] as? [String: Any])
        let podSpec = try #require(pod["spec"] as? [String: Any])
        #expect(["Never", "OnFailure"].contains(podSpec["restartPolicy"] as? String))
        let container = try #require((podSpec["containers"] as? [[String: Any]])?.first)
        let command = ((container["command"] as? [String]) ?? []) + ((container["args"] as? [String]) ?? [])
        let scriptPath = try #require(command.first { $0.hasSuffix("/backup-postgres.sh") }, "the container does not run backup-postgres.sh: \(command)")

        // The script comes from a ConfigMap volume whose key is the tested file's name, mounted where the command looks.
        let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
        let mount = try #require(mounts.first { scriptPath.hasPrefix(($0["mountPath"] as? String ?? "\u{0}") + "/") }, "\(scriptPath) is on no volume")
        let volume = try #require((podSpec["volumes"] as? [[String: Any]] ?? []).first { $0["name"] as? String == mount["name"] as? String })
        let configMap = try #require(volume["configMap"] as? [String: Any], "the script's volume is no ConfigMap")
        let items = configMap["items"] as? [[String: Any]] ?? []
        let fileName = String(scriptPath.dropFirst((mount["mountPath"] as? String ?? "").count + 1))
        #expect(items.isEmpty || items.contains { $0["key"] as? String == "backup-postgres.sh" && $0["path"] as? String == fileName })
        let text = try String(contentsOf: Self.manifest, encoding: .utf8)
        #expect(text.contains("--from-file=docs/runbooks/backup-postgres.sh"), "the ConfigMap is made from the tested script")

        // Every variable the script requires (`: "${NAME:?…}"`) is set, and the key comes from a Secret.
        let scriptText = try String(contentsOf: Self.script, encoding: .utf8)
        let required = scriptText.matches(of: /: "\$\{([A-Z_]+):\?/).map { String($0.1) }
        #expect(required.count >= 4, "the script's required variables were not found: \(required)")
        let env = container["env"] as? [[String: Any]] ?? []
        let names = Set(env.compactMap { $0["name"] as? String })
        for name in required {
            #expect(names.contains(name), "\(name) is required by backup-postgres.sh but not set")
        }
        let key = try #require(env.first { $0["name"] as? String == "BACKUPFEED_API_KEY" })
        #expect(((key["valueFrom"] as? [String: Any])?["secretKeyRef"]) != nil, "the API key comes from a Secret, never the manifest")
    }
}
