import Foundation
import Logging

/// Proves (or disproves) that one stored backup restores: integrity, detection, completeness, restore into a
/// disposable database, inspection, policy checks, comparison with the last passed version, teardown.
/// Knows nothing of HTTP or the catalog; never throws: every outcome is a report.
public struct BackupVerifier: Sendable {
    public let configuration: VerifierConfiguration
    let logger: Logger

    public init(configuration: VerifierConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    static let stages = ["integrity", "detect", "completeness", "restore", "tables", "readable"]

    /// Verifies `file` (a zip, a tar, a compressed stream in any nesting, or a bare dump) under `policy`. `expectedSHA256` is the catalog's hash of the blob.
    /// `keyring` holds the identities that may open encrypted layers (`age`, OpenPGP); the report names the one used.
    public func verify(
        file: URL, expectedSHA256: String?, policy: VerificationPolicy, previous: PreviousRun?, keyring: DecryptionKeyring = .empty
    ) async -> VerificationReport {
        var run = RunRecorder()
        let deadline = run.now + .seconds(max(1, policy.timeoutSeconds))
        logger.info("verification started", metadata: ["file": "\(file.lastPathComponent)"])
        do {
            try policy.validate()
        } catch {
            run.record("policy", .error, "invalid policy: \(error.description)")
            return finish(&run, policy: policy)
        }
        guard let source = await prepare(&run, file: file, expectedSHA256: expectedSHA256, policy: policy, keyring: keyring, deadline: deadline) else {
            return finish(&run, policy: policy)
        }
        await restoreAndInspect(&run, source: source, policy: policy, previous: previous, deadline: deadline)
        return finish(&run, policy: policy)
    }

    /// Integrity, detect and completeness; returns the dump to restore, or nil when a check decided the run.
    private func prepare(
        _ run: inout RunRecorder, file: URL, expectedSHA256: String?, policy: VerificationPolicy, keyring: DecryptionKeyring,
        deadline: ContinuousClock.Instant
    ) async -> (any DumpSource)? {
        var start = run.now
        let stage = IntegrityStage(
            file: file, limits: configuration.limits, dumpName: policy.dump,
            assumedFormat: FormatDetector.assumedFormat(for: policy.engine), keyring: keyring)
        let integrity: IntegrityStage.Result
        do {
            integrity = try await stage.run(deadline: deadline)
        } catch let error as ArchiveError {
            run.record("integrity", error.isVerifierLimitation ? .error : .failed, error.description, since: start)
            run.time("integrity", since: start)
            return nil
        } catch {
            run.record("integrity", .error, Self.describe(error), since: start)
            run.time("integrity", since: start)
            return nil
        }
        if let expectedSHA256, expectedSHA256.lowercased() != integrity.sha256 {
            run.record("integrity", .failed, "stored file's SHA-256 is \(integrity.sha256), expected \(expectedSHA256.lowercased()): the file changed after upload", since: start)
            run.time("integrity", since: start)
            return nil
        }
        var detail = expectedSHA256 == nil ? "SHA-256 \(integrity.sha256)" : "SHA-256 matches"
        let layers = IntegrityStage.describe(integrity)
        if layers.isEmpty {
            detail += "; bare \(file.pathExtension.isEmpty ? "file" : "." + file.pathExtension) (no zip, tar or compression layer)"
        } else {
            detail += "; " + layers.joined(separator: "; ")
        }
        let identities = Array(Set(integrity.walk.openings.map(\.identity))).sorted()
        if !identities.isEmpty { run.decryptedBy = identities.joined(separator: ", ") }
        run.record("integrity", IntegrityStage.hasUnterminatedTar(integrity) ? .warning : .passed, detail, since: start)
        run.time("integrity", since: start)

        start = run.now
        let selection = DumpSelection(
            file: file, walk: integrity.walk, limits: configuration.limits, wanted: policy.dump,
            assumedFormat: FormatDetector.assumedFormat(for: policy.engine),
            // The restore decrypts again: with the identities that opened the file only, tried first to last.
            keyring: DecryptionKeyring(keyring.identities.filter { identities.contains($0.name) }.nonEmpty ?? keyring.identities))
        let outcome: DumpSelection.Outcome
        do {
            outcome = try await selection.select()
        } catch {
            let status: CheckStatus = (error as? ArchiveError)?.isVerifierLimitation == false ? .failed : .error
            run.record("detect", status, Self.describe(error), since: start)
            return nil
        }
        let source: any DumpSource
        let scan: DumpScanner?
        let evidence: String
        switch outcome {
        case .failed(let reason):
            run.record("detect", .failed, reason, since: start)
            return nil
        case .unsupported(let reason):
            run.record("detect", .error, reason, since: start)
            return nil
        case .dump(let found, let foundScan, let foundEvidence, let foundLayers):
            source = found
            scan = foundScan
            evidence = foundEvidence
            run.layers = foundLayers
        }
        let name = source.name
        run.dumpEntry = name
        let format: DumpFormat
        if let scan {
            guard let detected = scan.format else {
                run.record("detect", .failed, "\(name) is not a recognised dump: \(scan.evidence)", since: start)
                return nil
            }
            format = detected
        } else {
            format = source.format
        }
        run.format = format
        if let head = scan?.head { recordOrigin(&run, format: format, head: head) }
        let via = run.layers.count > 1 ? " via \(run.layers.joined(separator: " › "))" : ""
        run.record("detect", .passed, "\(name): \(format.rawValue) (\(evidence))\(via)", since: start)
        run.time("detect", since: start)

        start = run.now
        let (status, reason) = scan.map { CompletenessCheck.judge($0) } ?? CompletenessCheck.judge(archive: format)
        run.record("completeness", status, reason, since: start)
        run.time("completeness", since: start)
        if status == .failed { return nil }
        return source
    }

    /// The tool, its version and the source server, as the dump's own header names them (the report's
    /// `dumpTool` and `sourceServer`): the one place the run learns what wrote the dump and from which server (its header says so).
    private func recordOrigin(_ run: inout RunRecorder, format: DumpFormat, head: [UInt8]) {
        guard let origin = DumpOrigin.read(head: head, format: format) else { return }
        run.dumpTool = origin.tool
        run.sourceServer = origin.sourceServer
    }

    private func finish(_ run: inout RunRecorder, policy: VerificationPolicy) -> VerificationReport {
        run.skip(Self.stages + policy.checks.map { "check: \($0.name)" } + ["compare"])
        if !run.checks.contains(where: { $0.name == "teardown" }) {
            run.record("teardown", .passed, "no sandbox was started")
        }
        let report = run.report()
        logger.info("verification finished", metadata: ["verdict": "\(report.verdict.rawValue)", "seconds": "\(report.totalSeconds)"])
        return report
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as EngineError: PolicyCheckRunner.message(of: error)
        case let error as ArchiveError: error.description
        case is CancellationError: "the run was cancelled"
        default: "\(error)"
        }
    }
}

extension Array {
    /// nil for an empty array, for `?? fallback`.
    fileprivate var nonEmpty: [Element]? { isEmpty ? nil : self }
}
