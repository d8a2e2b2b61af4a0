import Foundation
import Logging
import Subprocess
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One disposable SQLite database, restored and inspected by child processes. The child lists and counts the
/// tables right after the restore (the restored file may hold views, triggers and virtual tables of the dump's
/// making, so the server never opens it); policy checks each start one more child.
final class SQLiteSandbox: DatabaseSandbox {
    let engine = EngineInfo(name: "sqlite", version: SQLiteConnection.version)
    let helper: URL
    let directory: SandboxDirectory
    let limits: SQLiteLimits
    private let deadline: ContinuousClock.Instant
    private let logger: Logger
    /// The tables the restore child counted; nil until a restore succeeded.
    private let inspection = Mutex<[SQLiteChildResult.Table]?>(nil)
    private let removedFlag = Mutex(false)
    private var removed: Bool { removedFlag.withLock { $0 } }

    init(helper: URL, directory: SandboxDirectory, limits: SQLiteLimits, deadline: ContinuousClock.Instant, logger: Logger) {
        self.helper = helper
        self.directory = directory
        self.limits = limits
        self.deadline = deadline
        self.logger = logger
    }

    static let databaseName = "restore.db"
    private var databasePath: String { directory.path(Self.databaseName) }

    func restore(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> RestoreOutcome {
        let deadline = min(deadline, self.deadline)
        switch source.format {
        case .sqliteDump:
            let result = try await runChild(.restoreDump, deadline: deadline) { writer in
                try await source.stream { chunk in _ = try await writer.write(Array(chunk)) }
            }
            inspection.withLock { $0 = result.tables }
            logger.debug("sqlite dump restored", metadata: ["statements": "\(result.statements)"])
            return RestoreOutcome(log: "executed \(result.statements) statements")
        case .sqliteFile:
            var log = try await place(source, deadline: deadline)
            let result = try await runChild(.openFile, deadline: deadline) { _ in () }
            inspection.withLock { $0 = result.tables }
            log.append("PRAGMA integrity_check: ok")
            return RestoreOutcome(log: log.joined(separator: "; "))
        default:
            throw EngineError.restoreFailed("the SQLite engine cannot restore a \(source.format.rawValue); choose the matching engine")
        }
    }

    /// Copies a database file (and the write-ahead log zipped beside it) into the sandbox under matching names,
    /// so that SQLite replays the log when the child opens the database.
    private func place(_ source: some DumpSource, deadline: ContinuousClock.Instant) async throws -> [String] {
        try await write(databasePath, deadline: deadline) { consume in try await source.stream(consume) }
        var log: [String] = []
        if let companion = source as? any SQLiteWALCompanion {
            let walPath = databasePath + SQLiteSidecarFiles.walSuffix
            var head: [UInt8] = []
            var size: Int64 = 0
            var walName: String?
            try await write(walPath, deadline: deadline) { consume in
                walName = try await companion.streamWAL { chunk in
                    if head.count < 32 { head.append(contentsOf: chunk.prefix(32 - head.count)) }
                    size += Int64(chunk.count)
                    try await consume(chunk)
                }
            }
            if let walName {
                let frames = SQLiteSidecarFiles.frameCount(head: head, size: size).map { "\($0) frame\($0 == 1 ? "" : "s")" }
                    ?? "not a valid log: ignored by SQLite"
                log.append("write-ahead log \(walName) replayed (\(frames))")
            } else {
                try? FileManager.default.removeItem(atPath: walPath)
            }
        }
        return log
    }

    private func write(
        _ path: String, deadline: ContinuousClock.Instant,
        _ produce: ((UnsafeRawBufferPointer) async throws -> Void) async throws -> Void
    ) async throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw EngineError.internalFailure("cannot create \(path)")
        }
        defer { try? handle.close() }
        try await produce { chunk in
            try handle.write(contentsOf: chunk)
            if ContinuousClock.now >= deadline { throw EngineError.timedOut("copying the database file did not finish before the deadline") }
        }
        try SandboxFiles.chown(path, to: directory.user)
    }

    func tables() async throws -> [String] {
        guard let inspected = inspection.withLock({ $0 }) else { throw EngineError.internalFailure("nothing was restored into the SQLite sandbox") }
        return inspected.map(\.name)
    }

    func countRows(of table: String) async throws -> Int {
        guard let found = inspection.withLock({ $0 })?.first(where: { $0.name == table }) else {
            throw EngineError.restoreFailed("no table \(table) in the restored database")
        }
        guard let rows = found.rows else { throw EngineError.restoreFailed(found.error ?? "count(*) returned no number") }
        return rows
    }

    func scalar(_ sql: String) async throws -> String? {
        let bytes = Array(sql.utf8)
        return try await runChild(.query, deadline: deadline) { writer in _ = try await writer.write(bytes) }.value
    }

    func tearDown() async {
        guard removedFlag.withLock({ removed in defer { removed = true }; return !removed }) else { return }
        // Every child has ended by now: each run is awaited, and cancelling one kills its process group.
        directory.remove()
    }

    /// Starts the child for one request, feeds its stdin, and turns its answer (or its death) into a result or
    /// an `EngineError`.
    private func runChild<Fed: Sendable>(
        _ mode: SQLiteChildMode, deadline: ContinuousClock.Instant, input: @escaping @Sendable (StandardInputWriter) async throws -> Fed
    ) async throws -> SQLiteChildResult {
        if removed { throw EngineError.internalFailure("the SQLite sandbox was already torn down") }
        let remaining = deadline - .now
        guard remaining > .zero else { throw EngineError.timedOut("the deadline passed before the SQLite restore started") }
        // The child stops itself a little before the run's deadline, so that its own words ("statement at line
        // 12") reach the report rather than only "killed at the deadline".
        // The deadline goes as wall-clock time, so the child's own start-up (slow on a loaded machine) counts.
        let margin = min(Duration.seconds(1), remaining / 10)
        let deadlineMilliseconds = Int(Date().timeIntervalSince1970 * 1000) + Int((remaining - margin) / .milliseconds(1))
        var confinement = directory.confinement
        confinement.limits.addressSpaceBytes = limits.addressSpaceBytes
        confinement.readOnly += await SQLiteHelperExecutable.readOnlyPaths(for: helper)
        let spec = ProcessSpec(
            executable: helper.path,
            arguments: [
                "sqlite-child", "--mode", mode.rawValue, "--database", databasePath, "--deadline-ms", "\(deadlineMilliseconds)",
                "--max-statement-bytes", "\(limits.maxStatementBytes)", "--address-space-bytes", "\(limits.addressSpaceBytes)",
            ],
            // No crash backtracer (it would spend the deadline symbolicating); SQLite's temp files go where the
            // disk watch sees them.
            environment: ["SWIFT_BACKTRACE": "enable=no", "SQLITE_TMPDIR": directory.url.path, "TMPDIR": directory.url.path],
            workingDirectory: directory.url.path, user: directory.user, confinement: confinement)
        let (process, _) = try await ProcessRunner.run(spec, deadline: deadline, outputLimit: 8 << 20, input: input)
        let result = try SQLiteChildVerdict.interpret(process, limits: limits, confined: directory.isolation.isConfined)
        switch result.outcome {
        case .ok: return result
        case .failed: throw EngineError.restoreFailed(result.message ?? "the SQLite restore failed")
        case .timedOut: throw EngineError.timedOut(result.message ?? "the SQLite restore did not finish before the deadline")
        case .outOfMemory:
            throw EngineError.internalFailure(
                "the SQLite restore ran out of its memory limit (\(ByteCount.text(limits.heapBytes)) for SQLite)"
                    + (result.message.map { " during \($0)" } ?? ""))
        case .error: throw EngineError.internalFailure(result.message ?? "the SQLite restore failed on our side")
        }
    }
}

/// Reads the child's answer out of its output, or says how it died.
enum SQLiteChildVerdict {
    static func interpret(_ process: ProcessResult, limits: SQLiteLimits, confined: Bool) throws -> SQLiteChildResult {
        // bubblewrap reports a child killed by signal N as exit status 128 + N.
        let signal: Int32? = switch process.status {
        case .signaled(let number): number
        case .exited(let code) where confined && code > 128 && code < 128 + 65: code - 128
        case .exited: nil
        }
        if let signal { throw EngineError.internalFailure(crashMessage(signal: signal, output: process.output, limits: limits)) }
        let line = process.output.split(separator: "\n").last { $0.hasPrefix(SQLiteChildResult.linePrefix) }
        guard let line, let result = try? JSONDecoder().decode(SQLiteChildResult.self, from: Data(line.dropFirst(SQLiteChildResult.linePrefix.count).utf8)) else {
            throw EngineError.internalFailure("the SQLite restore ended without a result (\(process.status)): \(lastLines(process.output))")
        }
        return result
    }

    static func crashMessage(signal: Int32, output: String, limits: SQLiteLimits) -> String {
        let memory = ["Could not allocate memory", "std::bad_alloc", "Cannot allocate memory"]
        if memory.contains(where: output.contains) {
            return "the SQLite restore ran out of its memory limit (\(ByteCount.text(limits.addressSpaceBytes)) of address space) and was stopped (signal \(signal))"
        }
        if signal == SIGXCPU { return "the SQLite restore used up its CPU time limit and was stopped (signal \(signal))" }
        return "the SQLite restore crashed (signal \(signal)\(name(of: signal).map { ", \($0)" } ?? "")): the dump made SQLite fail inside its sandboxed child process; the server was not affected"
    }

    private static func name(of signal: Int32) -> String? {
        [SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGABRT: "SIGABRT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGKILL: "SIGKILL", SIGFPE: "SIGFPE", SIGTERM: "SIGTERM"][signal]
    }
}
