import Foundation

/// Collects the checks and stage timings of one run and turns them into a report.
struct RunRecorder {
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private(set) var checks: [CheckResult] = []
    private(set) var timings: [StageTiming] = []
    var engine: EngineInfo?
    var format: DumpFormat?
    var dumpEntry: String?
    var layers: [String] = []
    var decryptedBy: String?
    var dumpTool: String?
    var sourceServer: String?
    var tables: [TableCount] = []
    var mappings: [DumpRewrite] = []
    var log = ""
    /// What a passed run restored, when it is not tables ("globals only: 3 roles, no databases").
    var headline: String?

    init() { started = clock.now }

    var now: ContinuousClock.Instant { clock.now }

    /// Whether a check so far decided the run (failed or error): later stages are then skipped.
    var stopped: Bool { checks.contains { $0.status == .failed || $0.status == .error } }

    mutating func record(_ name: String, _ status: CheckStatus, _ detail: String, since start: ContinuousClock.Instant? = nil) {
        let seconds = start.map { Self.seconds(clock.now - $0) }
        checks.append(CheckResult(name: name, status: status, detail: detail, seconds: seconds))
    }

    mutating func time(_ stage: String, since start: ContinuousClock.Instant) {
        timings.append(StageTiming(stage: stage, seconds: Self.seconds(clock.now - start)))
    }

    /// Marks stages that did not run because an earlier check decided the run.
    mutating func skip(_ names: [String]) {
        let reason = checks.first { $0.status == .failed || $0.status == .error }.map { "not run: \($0.name) \($0.status.rawValue)" }
            ?? "not run"
        for name in names where !checks.contains(where: { $0.name == name }) {
            checks.append(CheckResult(name: name, status: .skipped, detail: reason))
        }
    }

    func report() -> VerificationReport {
        let failed = checks.first { $0.status == .failed }
        let error = checks.first { $0.status == .error }
        let verdict: Verdict = failed != nil ? .failed : error != nil ? .error : .passed
        let summary: String
        if let decider = failed ?? error {
            summary = decider.detail
        } else {
            let rows = tables.reduce(0) { $0 + $1.rows }
            let policyChecks = checks.filter { $0.name.hasPrefix("check: ") }.count
            var text = headline ?? "restored \(tables.count) tables (\(rows) rows)"
            if let engine { text += " with \(engine.name) \(engine.version)" }
            if policyChecks > 0 { text += "; \(policyChecks) policy check\(policyChecks == 1 ? "" : "s") passed" }
            let warnings = checks.filter { $0.status == .warning }
            if let first = warnings.first {
                // One line: the first warning's first sentence; the checks carry the rest.
                let headline = first.detail.split(separator: ";", maxSplits: 1).first.map(String.init) ?? first.detail
                text += "; \(warnings.count) warning\(warnings.count == 1 ? "" : "s"): \(headline)"
            }
            summary = text
        }
        return VerificationReport(
            verdict: verdict, summary: summary, engine: engine, format: format?.rawValue, dumpEntry: dumpEntry,
            layers: layers, decryptedBy: decryptedBy, dumpTool: dumpTool, sourceServer: sourceServer, checks: checks, tables: tables, timings: timings, totalSeconds: Self.seconds(clock.now - started),
            mappings: mappings, logExcerpt: String(log.suffix(4000)))
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        // Milliseconds are precise enough for a report and keep the JSON short.
        return ((Double(s) + Double(attoseconds) / 1e18) * 1000).rounded() / 1000
    }
}
