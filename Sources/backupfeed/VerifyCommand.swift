import ArgumentParser
import BackupVerifier
import Foundation
import Logging

/// `backupfeed verify FILE`: the server's verification pipeline, run locally on one file.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Restore a backup into a disposable database, run the checks and print the report.",
        discussion: "Exit status: 0 passed, 1 failed (the backup is bad), 2 error (the verifier could not judge).")

    @Argument(help: "A backup: a dump (.sql, .dump, .sqlite), bare or compressed (gzip, zstd, xz, bzip2, lz4), zipped or tarred, in any nesting.")
    var file: String

    @Option(help: "A verification policy (JSON, the same as the server's).")
    var policy: String?

    @Option(help: "The engine to restore with, overriding the policy's.")
    var engine: EngineChoice?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Where sandboxes are created (default: a directory under the system temp dir).")
    var workDir: String?

    @Option(help: "The expected SHA-256 of FILE.")
    var sha256: String?

    @Option(help: "A previous passed report (JSON) to compare tables and row counts with.")
    var previous: String?

    @Option(help: "The version of the previous report, for the comparison's wording.")
    var previousVersion = "the previous version"

    @Flag(help: "Restore with MariaDB, PostgreSQL and SQLite even where no OS sandbox (bubblewrap) can be made. Dangerous with a backup you did not make.")
    var unsafeNoSandbox = false

    @Option(help: ArgumentHelp(
        "A decryption identity for an encrypted backup: an age identity file or an armored OpenPGP secret key (repeatable).",
        valueName: "file"))
    var identity: [String] = []

    @Flag(help: "Log progress to stderr.")
    var verbose = false

    func run() async throws {
        var logger = Logger(label: "backupfeed.verify")
        logger.logLevel = verbose ? .debug : .warning
        var chosen = VerificationPolicy.default
        if let policy {
            chosen = try decode(VerificationPolicy.self, from: policy, what: "policy")
        }
        if let engine { chosen.engine = engine }
        var previousRun: PreviousRun?
        if let previous {
            previousRun = PreviousRun(version: previousVersion, report: try decode(VerificationReport.self, from: previous, what: "previous report"))
        }
        let root = workDir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("backupfeed-verify", isDirectory: true)
        await SandboxJanitor(root: root, logger: logger).sweep()
        let configuration = VerifierConfiguration.standard(
            workRoot: root, sandbox: SandboxSettings(allowUnconfined: unsafeNoSandbox),
            sqliteHelper: SQLiteHelperExecutable.currentExecutable(), logger: logger)
        var identities: [DecryptionIdentity] = []
        for path in identity {
            identities.append(try await readIdentity(path))
        }
        let verifier = BackupVerifier(configuration: configuration, logger: logger)
        let report = await verifier.verify(
            file: URL(fileURLWithPath: file), expectedSHA256: sha256, policy: chosen, previous: previousRun,
            keyring: DecryptionKeyring(identities))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text())
        }
        switch report.verdict {
        case .passed: return
        case .failed: throw ExitCode(1)
        case .error: throw ExitCode(2)
        }
    }

    /// An identity file, named after the file for the report ("ops.txt" opened it).
    private func readIdentity(_ path: String) async throws -> DecryptionIdentity {
        do {
            let text = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
            return try await DecryptionIdentity.inspect(name: URL(fileURLWithPath: path).lastPathComponent, text: text)
        } catch {
            FileHandle.standardError.write(Data("error: cannot use the identity \(path): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from path: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            // Exit 2 like any other case where no verdict could be reached.
            FileHandle.standardError.write(Data("error: cannot read the \(what) \(path): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension EngineChoice: ExpressibleByArgument {}
