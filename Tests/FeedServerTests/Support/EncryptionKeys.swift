import Foundation
import Subprocess
import Testing

@testable import BackupVerifier

/// Keys and ciphertexts made by the real `age` and `gpg`, as an operator and a backup script make them.
enum EncryptionKeys {
    static let available = ["/usr/bin/age", "/usr/bin/age-keygen", "/usr/bin/gpg", "/usr/bin/gpgconf"].allSatisfy {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: String = "") async throws -> String {
        let result = try await DecryptionTool.runSmall(DecryptionTool.configuration(executable, arguments), input: input)
        guard result.status.isSuccess else { throw Failure(description: "\(executable) \(arguments): \(result.status)\n\(result.messages)") }
        return result.output
    }

    /// `age-keygen`: the identity file (with its comments) and the recipient.
    static func ageKeygen() async throws -> (identityFile: String, secret: String, recipient: String) {
        let file = try await run("/usr/bin/age-keygen", [])
        let secret = try #require(file.split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-1") }.map(String.init))
        let recipient = try #require(file.split(separator: "\n").first { $0.hasPrefix("# public key: ") }.map { String($0.dropFirst(14)) })
        return (file, secret, recipient)
    }

    static func ageEncrypt(_ input: URL, to recipient: String, output: URL) async throws {
        try await run("/usr/bin/age", ["-r", recipient, "-o", output.path, input.path])
    }

    /// A GnuPG key pair (ed25519 + cv25519, no passphrase) in its own home: the armored secret key and a way to encrypt.
    struct GnuPG {
        let home: URL
        let fingerprint: String
        let secretArmored: String

        static func make(in directory: URL) async throws -> GnuPG {
            let home = directory.appendingPathComponent("gnupg", isDirectory: true)
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let common = ["--homedir", home.path, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""]
            try await run("/usr/bin/gpg", common + ["--quick-gen-key", "Backups <backups@example.invalid>", "ed25519", "cert", "never"])
            let listing = try await run("/usr/bin/gpg", ["--homedir", home.path, "--with-colons", "--list-keys"])
            let fingerprint = String(try #require(listing.split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(separator: ":", omittingEmptySubsequences: false)[9]))
            try await run("/usr/bin/gpg", common + ["--quick-add-key", fingerprint, "cv25519", "encr", "never"])
            let secret = try await run("/usr/bin/gpg", common + ["--armor", "--export-secret-keys", fingerprint])
            return GnuPG(home: home, fingerprint: fingerprint, secretArmored: secret)
        }

        func encrypt(_ input: URL, output: URL) async throws {
            try await run("/usr/bin/gpg", ["--homedir", home.path, "--batch", "--no-tty", "--trust-model", "always", "--yes",
                                           "--encrypt", "--recipient", fingerprint, "--output", output.path, input.path])
        }

        func stopAgent() async {
            _ = try? await run("/usr/bin/gpgconf", ["--homedir", home.path, "--kill", "gpg-agent"])
        }
    }
}
