import Foundation
import Subprocess
import Testing
@testable import BackupVerifier

/// The real `age` and `gpg` making keys and encrypting files the way a backup script does, run through the
/// verifier's own non-blocking process helper.
enum EncryptionTools {
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

    /// A fresh X25519 identity: `age-keygen`'s file (comments included) and its recipient.
    static func ageKeygen() async throws -> (identityFile: String, secret: String, recipient: String) {
        let file = try await run("/usr/bin/age-keygen", [])
        let secret = try #require(file.split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-1") }.map(String.init))
        let recipient = try #require(file.split(separator: "\n").first { $0.hasPrefix("# public key: ") }.map { String($0.dropFirst("# public key: ".count)) })
        return (file, secret, recipient)
    }

    /// `age -r RECIPIENT -o output input`.
    static func ageEncrypt(_ input: URL, to recipient: String, output: URL, armor: Bool = false) async throws {
        try await run("/usr/bin/age", (armor ? ["--armor"] : []) + ["-r", recipient, "-o", output.path, input.path])
    }

    /// A GnuPG home holding one fresh key pair (ed25519 certification key, cv25519 encryption subkey, no passphrase).
    struct GnuPGKey {
        let home: URL
        let fingerprint: String
        let secretArmored: String

        static func make(in directory: URL, email: String = "backup@example.invalid") async throws -> GnuPGKey {
            let home = directory.appendingPathComponent("gnupg-\(UUID().uuidString.prefix(6))", isDirectory: true)
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let common = ["--homedir", home.path, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""]
            try await run("/usr/bin/gpg", common + ["--quick-gen-key", "Backup Test <\(email)>", "ed25519", "cert", "never"])
            let listing = try await run("/usr/bin/gpg", ["--homedir", home.path, "--with-colons", "--list-keys"])
            let fingerprint = try #require(listing.split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(separator: ":", omittingEmptySubsequences: false)[9])
            try await run("/usr/bin/gpg", common + ["--quick-add-key", String(fingerprint), "cv25519", "encr", "never"])
            let secret = try await run("/usr/bin/gpg", common + ["--armor", "--export-secret-keys", String(fingerprint)])
            return GnuPGKey(home: home, fingerprint: String(fingerprint), secretArmored: secret)
        }

        /// `gpg -e -r FINGERPRINT` (binary, or `--armor`).
        func encrypt(_ input: URL, output: URL, armor: Bool = false) async throws {
            try await run("/usr/bin/gpg", ["--homedir", home.path, "--batch", "--no-tty", "--trust-model", "always", "--yes"]
                + (armor ? ["--armor"] : []) + ["--encrypt", "--recipient", fingerprint, "--output", output.path, input.path])
        }

        /// Stops the home's gpg-agent and removes the home.
        func remove() async {
            _ = try? await run("/usr/bin/gpgconf", ["--homedir", home.path, "--kill", "gpg-agent"])
            try? FileManager.default.removeItem(at: home)
        }
    }
}
