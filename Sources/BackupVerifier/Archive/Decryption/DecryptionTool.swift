import Foundation
import Subprocess

#if canImport(Glibc)
import Glibc
#endif

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How one run of `age` or `gpg` over a ciphertext ended.
struct ToolOutcome {
    var status: TerminationStatus
    /// What the tool wrote to stderr (its messages and, for gpg, its `[GNUPG:]` status lines), capped.
    var messages: String
    var plaintextBytes: Int64 = 0
    /// Damage the layers below found in the plaintext, held back until the tool's own verdict is known: gpg hands
    /// out a modified message's garbage before it reports the bad MDC, and the MDC is the real reason.
    var downstream: ArchiveError?
}

/// Runs the real decryption tools as child processes of the server (never inside a sandbox: the sandboxed
/// restore must never see a key), with the ciphertext streamed into stdin and the plaintext streamed out of
/// stdout into the next layer, so no plaintext touches the disk.
enum DecryptionTool {
    static let stderrLimit = 1 << 20

    /// The absolute path of `name` in the usual system directories, or an `error` naming the Debian package.
    static func locate(_ name: String, package: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw ArchiveError.unsupported("\(name) is not installed on the verifier's machine: install it (apt-get install \(package)) to verify encrypted backups")
    }

    static func configuration(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) -> Configuration {
        var env: [Environment.Key: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C", "LC_ALL": "C"]
        for (key, value) in environment { env[Environment.Key(stringLiteral: key)] = value }
        return Configuration(
            executable: .path(FilePath(executable)), arguments: Arguments(arguments), environment: .custom(env),
            platformOptions: ProcessRunner.platformOptions())
    }

    /// Runs the tool with the ciphertext `source` on stdin; each plaintext chunk goes to `plaintext`. An
    /// `ArchiveError` from `plaintext` is kept in the outcome while the rest of the output is drained (so the
    /// tool can finish and say whether the ciphertext was authentic); any other error ends the run at once.
    static func run(
        _ configuration: Configuration, ciphertext source: CiphertextSource,
        plaintext: (UnsafeRawBufferPointer) async throws -> Void
    ) async throws -> ToolOutcome {
        let result = try await Subprocess.run(
            configuration, input: .inputWriter, output: .sequence, error: .string(limit: stderrLimit)
        ) { execution in
            let writer = execution.standardInputWriter
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await source.feed(writer)
                    } catch is SubprocessError {
                        // The tool stopped reading (no identity matched, or it found the damage): its exit status says why.
                    }
                    try? await writer.finish()
                }
                var bytes: Int64 = 0
                var downstream: ArchiveError?
                do {
                    for try await buffer in execution.standardOutput {
                        if downstream != nil { continue }
                        let chunk = buffer.withUnsafeBytes { Array($0) }
                        bytes += Int64(chunk.count)
                        do {
                            try await withChunk(chunk, plaintext)
                        } catch let error as ArchiveError where error.isDamage {
                            downstream = error
                        }
                    }
                } catch {
                    // Nobody reads the tool's output any more (the restore has its tar member, or stopped): end it,
                    // or it would wait on a full pipe while the feeding task waits on it.
                    _ = kill(-execution.processIdentifier.value, SIGKILL)
                    throw error
                }
                try await group.waitForAll()
                return (bytes, downstream)
            }
        }
        let (bytes, downstream) = result.closureResult
        return ToolOutcome(status: result.terminationStatus, messages: result.standardError, plaintextBytes: bytes, downstream: downstream)
    }

    /// Lends an array's bytes to an async consumer through a temporary buffer (an array's own storage cannot be
    /// lent across `await`).
    private static func withChunk(_ bytes: [UInt8], _ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws {
        guard !bytes.isEmpty else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        try await consume(UnsafeRawBufferPointer(buffer))
    }

    /// Runs a short helper command (`gpg --import`, `age-keygen -y`) with `input` on stdin; returns its exit
    /// status, stdout and stderr.
    static func runSmall(_ configuration: Configuration, input: String) async throws -> (status: TerminationStatus, output: String, messages: String) {
        let result = try await Subprocess.run(
            configuration, input: .string(input), output: .string(limit: stderrLimit), error: .string(limit: stderrLimit))
        return (result.terminationStatus, result.standardOutput, result.standardError)
    }
}

/// Where a tool's ciphertext comes from: the stream at `route` inside the stored file, read again from the start
/// (each layer above it peeled once more). Only Sendable values, so it can run in its own task.
struct CiphertextSource: Sendable {
    let file: URL
    let route: LayerRoute
    let limits: ArchiveLimits
    let keyring: DecryptionKeyring

    func feed(_ writer: StandardInputWriter) async throws {
        let budget = LayerBudget(limits: limits, deadline: nil)
        try await LayerRouteReader.read(file: file, route: route, budget: budget, keyring: keyring, into: InputWriterSink(writer))
    }
}

/// Writes a layer's bytes into a tool's stdin.
private final class InputWriterSink: ByteSink {
    let writer: StandardInputWriter
    init(_ writer: StandardInputWriter) { self.writer = writer }
    func write(_ chunk: UnsafeRawBufferPointer) async throws { _ = try await writer.write(Array(chunk)) }
    func finish() async throws {}
}

extension ArchiveError {
    /// Damage found in a layer's content (held back behind a decryption tool's verdict), as opposed to a limit.
    var isDamage: Bool {
        switch self {
        case .damagedLayer, .damagedEntry, .crcMismatch: true
        default: false
        }
    }
}
