import BackupVerifier

/// The reports the tests write, named for what a person should then see on the page.
enum Fixtures {
    /// A check name that would run script if any page inserted it as HTML.
    static let hostileCheckName = "<img src=x onerror=document.title='pwned'>"
    static let failingReason = "ERROR: relation \"orders\" does not exist at line 88"

    static let passed = VerificationReport(
        verdict: .passed, summary: "restored 2 tables, 12,400 rows",
        engine: EngineInfo(name: "PostgreSQL", version: "16.4"), format: "pg_dump plain", dumpEntry: "crm.sql",
        checks: [
            CheckResult(name: "archive", status: .passed, detail: "1 entry, CRC-32 matches", seconds: 0.2),
            CheckResult(name: "restore", status: .passed, detail: "restored without errors", seconds: 12.3),
            CheckResult(name: hostileCheckName, status: .warning, detail: "<b>not bold</b>", seconds: 0.1),
        ],
        tables: [TableCount(name: "customers", rows: 12000), TableCount(name: "orders", rows: 400)],
        timings: [
            StageTiming(stage: "integrity", seconds: 0.2), StageTiming(stage: "detect", seconds: 0.1),
            StageTiming(stage: "restore", seconds: 12.3), StageTiming(stage: "inspect", seconds: 0.8), StageTiming(stage: "teardown", seconds: 0.1),
        ],
        totalSeconds: 13.5,
        mappings: [DumpRewrite(from: "utf8mb4_0900_ai_ci", to: "utf8mb4_unicode_ci", occurrences: 14)],
        logExcerpt: "SET\nCREATE TABLE\nCOPY 12000\nCOPY 400\n"
    )

    static let failed = VerificationReport(
        verdict: .failed, summary: "restore stopped: relation \"orders\" does not exist",
        engine: EngineInfo(name: "PostgreSQL", version: "16.4"), format: "pg_dump plain", dumpEntry: "crm.sql",
        checks: [
            CheckResult(name: "archive", status: .passed, detail: "1 entry, CRC-32 matches", seconds: 0.2),
            CheckResult(name: "restore", status: .failed, detail: failingReason, seconds: 3.1),
            CheckResult(name: "row counts", status: .skipped, detail: "the restore failed", seconds: nil),
        ],
        tables: [TableCount(name: "customers", rows: 11950)],
        timings: [StageTiming(stage: "integrity", seconds: 0.2), StageTiming(stage: "restore", seconds: 3.1), StageTiming(stage: "teardown", seconds: 0.2)],
        totalSeconds: 3.5,
        logExcerpt: "psql:crm.sql:88: ERROR:  relation \"orders\" does not exist\n"
    )

    /// The states of one package: passed, failed, and a prerelease still running; plus a second package still queued.
    struct Seeded {
        /// sha256 of each pushed version.
        var sha: [String: String]
        /// The run of 2026.11.25-rc1 that is still running.
        var runningJob: Int64
    }

    static func seed(_ site: Site) async throws -> Seeded {
        var sha = [String: String]()
        sha["2026.11.23"] = try await site.push("crm-db", "2026.11.23")
        try await site.finishRun("crm-db", "2026.11.23", report: passed)
        sha["2026.11.24"] = try await site.push("crm-db", "2026.11.24")
        try await site.finishRun("crm-db", "2026.11.24", report: failed)
        sha["2026.11.25-rc1"] = try await site.push("crm-db", "2026.11.25-rc1")
        let running = try await site.startRun("crm-db", "2026.11.25-rc1")
        // Pushed last, so its run stays queued (no worker runs in these tests).
        sha["web-db 1.0.0"] = try await site.push("web-db", "1.0.0")
        return Seeded(sha: sha, runningJob: running)
    }
}
