import ArgumentParser
import Foundation

/// A failure of `push` or `pull` that a person can act on. Every one of them exits with status 2, so that scripts can
/// tell "the feed judged the backup bad" (1, `push --wait` only) from "the command could not do its job" (2).
struct ClientError: Error, CustomStringConvertible {
    static let exitCode: Int32 = 2
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}

/// Standard error output: progress, notes and error messages, so that stdout carries only what scripts capture.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

extension AsyncParsableCommand {
    /// Runs a client command, printing a `ClientError` as `error: …` on stderr and exiting with status 2.
    func reportingClientErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ClientError {
            StandardError.write("error: \(error.message)\n")
            throw ExitCode(ClientError.exitCode)
        }
    }
}
