import Foundation
import Logging

extension BackupVerifier {
    /// Restore, tables, readable, policy checks and compare inside a fresh sandbox, then teardown, always.
    func restoreAndInspect(
        _ run: inout RunRecorder, source: any DumpSource, policy: VerificationPolicy, previous: PreviousRun?,
        deadline: ContinuousClock.Instant
    ) async {
        var start = run.now
        let choice = policy.engine == .auto ? VerifierConfiguration.automaticEngine(for: source.format) : policy.engine
        guard let engine = configuration.engines[choice] else {
            run.record("restore", .error,
                "no \(choice.rawValue) engine in this installation for a \(source.format.rawValue); install \(VerifierConfiguration.package(for: choice))",
                since: start)
            return
        }
        let directory: URL
        do {
            directory = try RunDirectory.create(under: configuration.workRoot)
        } catch {
            run.record("restore", .error, "cannot create a sandbox under \(configuration.workRoot.path): \(error.localizedDescription)", since: start)
            return
        }
        var sandbox: (any DatabaseSandbox)?
        let disk = SandboxDiskWatch(
            directory: directory, maxBytes: policy.maxSandboxBytes.map { UInt64($0) } ?? configuration.sandboxLimits.sandboxBytes,
            freeSpaceFloor: configuration.sandboxLimits.freeSpaceFloorBytes)
        do {
            let made = try await Self.beforeDeadline(deadline, watching: disk) {
                try await engine.makeSandbox(
                    database: policy.database ?? "backup", workDirectory: directory, deadline: deadline, logger: logger)
            }
            sandbox = made
            run.engine = made.engine
            let outcome = try await Self.beforeDeadline(deadline, watching: disk) { try await made.restore(source, deadline: deadline) }
            run.mappings = outcome.rewrites
            run.log = outcome.log
            // Notes first: they are what a person should read; the list of rewrites is the evidence behind them.
            let mapped = outcome.rewrites.isEmpty ? [] : ["mapped " + outcome.rewrites.map { "\($0.from) → \($0.to) (\($0.occurrences)×)" }.joined(separator: ", ")]
            let detail = (outcome.notes + ["restored \(source.name) into \(made.engine.name) \(made.engine.version)"] + mapped).joined(separator: "; ")
            run.record("restore", outcome.notes.isEmpty ? .passed : .warning, detail, since: start)
            run.time("restore", since: start)
            start = run.now
            try await inspect(&run, sandbox: made, policy: policy, previous: previous, deadline: deadline, disk: disk, withoutTables: outcome.withoutTables)
            run.time("inspect", since: start)
        } catch {
            let status: CheckStatus = {
                switch error {
                case EngineError.restoreFailed: .failed
                case let archive as ArchiveError: archive.isVerifierLimitation ? .error : .failed
                default: .error
                }
            }()
            let done = Set(run.checks.map(\.name))
            let stage = ["restore", "tables", "readable"].first { !done.contains($0) } ?? "readable"
            var detail = Self.describe(error)
            if case EngineError.timedOut = error { detail = "timed out after \(policy.timeoutSeconds) s: \(detail)" }
            // Engines see cancellation as an interruption; say what really happened.
            if Task.isCancelled { detail = "the run was cancelled before it finished (\(detail))" }
            run.record(stage, Task.isCancelled ? .error : status, detail, since: start)
            run.time(stage == "restore" ? "restore" : "inspect", since: start)
        }
        start = run.now
        if let sandbox {
            // A fresh task does not inherit cancellation: a cancelled run (server shutdown) must still stop its
            // database server and wait for it, which needs working sleeps.
            await Task { await sandbox.tearDown() }.value
        }
        do {
            try FileManager.default.removeItem(at: directory)
            run.record("teardown", .passed, "sandbox removed", since: start)
        } catch {
            let gone = !FileManager.default.fileExists(atPath: directory.path)
            run.record("teardown", gone ? .passed : .warning,
                       gone ? "sandbox removed" : "sandbox directory \(directory.path) could not be removed: \(error.localizedDescription)",
                       since: start)
            if !gone { logger.warning("sandbox directory left behind", metadata: ["path": "\(directory.path)"]) }
        }
        run.time("teardown", since: start)
    }

    private func inspect(
        _ run: inout RunRecorder, sandbox: any DatabaseSandbox, policy: VerificationPolicy, previous: PreviousRun?,
        deadline: ContinuousClock.Instant, disk: SandboxDiskWatch, withoutTables: String? = nil
    ) async throws {
        var start = run.now
        let names = try await Self.beforeDeadline(deadline, watching: disk) { try await sandbox.tables() }
        if names.isEmpty, let withoutTables {
            run.record("tables", .passed, withoutTables, since: start)
            run.record("readable", .skipped, "no tables to read: \(withoutTables)")
            run.headline = withoutTables
            return
        }
        guard !names.isEmpty else {
            run.record("tables", .failed, "the restore produced no tables", since: start)
            return
        }
        run.record("tables", .passed, "\(names.count) table\(names.count == 1 ? "" : "s")", since: start)

        start = run.now
        var counts: [TableCount] = []
        for name in names {
            do {
                let rows = try await Self.beforeDeadline(deadline, watching: disk) { try await sandbox.countRows(of: name) }
                counts.append(TableCount(name: name, rows: rows))
            } catch EngineError.restoreFailed(let message) {
                run.tables = counts
                run.record("readable", .failed, "table \(name) cannot be read: \(message)", since: start)
                return
            }
        }
        run.tables = counts
        let total = counts.reduce(0) { $0 + $1.rows }
        run.record("readable", .passed, "every table readable, \(total) rows in all", since: start)

        for check in policy.checks {
            start = run.now
            let (status, detail) = await Self.withinDeadline(deadline, check: check.name) {
                await PolicyCheckRunner.run(check, in: sandbox)
            }
            run.record("check: \(check.name)", status, detail, since: start)
        }
        start = run.now
        let (status, detail) = TableComparison.compare(counts, with: previous, maxDropPercent: policy.maxRowDropPercent)
        run.record("compare", status, detail, since: start)
    }

    /// Runs `operation`, giving up (and cancelling it) when the deadline passes first, or when `disk` finds the
    /// sandbox past a limit (its error is thrown).
    static func beforeDeadline<T: Sendable>(
        _ deadline: ContinuousClock.Instant, watching disk: SandboxDiskWatch? = nil, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            if let disk {
                group.addTask {
                    try await disk.watch()
                    return nil
                }
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw EngineError.timedOut("the deadline passed")
            }
            return value
        }
    }

    private static func withinDeadline(
        _ deadline: ContinuousClock.Instant, check: String, _ operation: @escaping @Sendable () async -> (CheckStatus, String)
    ) async -> (CheckStatus, String) {
        do {
            return try await beforeDeadline(deadline, operation)
        } catch {
            return (.error, "\(check): timed out: the run's deadline passed")
        }
    }
}
