import Foundation
import Subprocess

/// Why a key offered as a decryption identity cannot be stored; the message says what to send instead.
public struct DecryptionKeyError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension DecryptionIdentity {
    /// Reads a key offered for storage: an age identity (X25519 `AGE-SECRET-KEY-1…` lines, comments allowed) or an
    /// armored OpenPGP secret key without a passphrase. Returns the identity with its recipients (age) or
    /// fingerprints (OpenPGP), derived by the real tools (`age-keygen -y`, `gpg`), so a key the tools would not
    /// accept is refused now rather than at 3 a.m.
    public static func inspect(name: String, text: String) async throws -> DecryptionIdentity {
        if text.contains("-----BEGIN PGP PRIVATE KEY BLOCK-----") {
            return try await inspectOpenPGP(name: name, text: text)
        }
        if text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
            throw DecryptionKeyError("that is an OpenPGP public key: the feed needs the secret key to decrypt (gpg --armor --export-secret-keys KEYID)")
        }
        if text.contains("age-encryption.org/v1") || text.contains("-----BEGIN AGE ENCRYPTED FILE-----") {
            throw DecryptionKeyError("that is an age identity file protected by a passphrase: store the plain identity (age -d identity.age), the feed cannot type passphrases")
        }
        if text.contains("PRIVATE KEY-----") {
            throw DecryptionKeyError("SSH and other private keys are not supported as age identities: make an X25519 identity with age-keygen and encrypt to its recipient")
        }
        return try await inspectAge(name: name, text: text)
    }

    private static func inspectAge(name: String, text: String) async throws -> DecryptionIdentity {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        if lines.contains(where: { $0.hasPrefix("AGE-PLUGIN-") }) {
            throw DecryptionKeyError("age plugin identities (AGE-PLUGIN-…) need hardware or a plugin the feed does not have: use an X25519 identity (age-keygen)")
        }
        guard !lines.isEmpty, lines.allSatisfy({ $0.hasPrefix("AGE-SECRET-KEY-1") }) else {
            throw DecryptionKeyError(
                "not a decryption key: send an age identity (the AGE-SECRET-KEY-1… line of age-keygen's file) or an armored OpenPGP secret key (gpg --armor --export-secret-keys KEYID)")
        }
        let keygen = try tool("age-keygen", package: "age")
        let secret = lines.joined(separator: "\n")
        let result = try await DecryptionTool.runSmall(DecryptionTool.configuration(keygen, ["-y"]), input: secret + "\n")
        let recipients = result.output.split(whereSeparator: \.isNewline).map(String.init).filter { $0.hasPrefix("age1") }
        guard result.status.isSuccess, recipients.count == lines.count else {
            var reason = result.messages.split(whereSeparator: \.isNewline).first.map(String.init) ?? "age-keygen refused it"
            // age-keygen may quote what it could not parse: never echo key material back.
            for line in lines { reason = reason.replacingOccurrences(of: line, with: "AGE-SECRET-KEY-1…") }
            throw DecryptionKeyError("not a valid age identity (\(reason))")
        }
        return DecryptionIdentity(name: name, kind: .age, secret: secret, recipients: recipients)
    }

    private static func inspectOpenPGP(name: String, text: String) async throws -> DecryptionIdentity {
        let gpg = try tool("gpg", package: "gnupg")
        return try await DecryptionWorkspace.with { workspace in
            let home = try workspace.makeGnuPGHome().path
            let common = ["--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback"]
            let packets = try await DecryptionTool.runSmall(DecryptionTool.configuration(gpg, common + ["--list-packets"]), input: text)
            guard packets.output.contains(":secret key packet:") else {
                throw DecryptionKeyError("the armored block holds no OpenPGP secret key: export it with gpg --armor --export-secret-keys KEYID")
            }
            if packets.output.contains("protected") {
                throw DecryptionKeyError(
                    "the OpenPGP secret key is protected by a passphrase, which the feed cannot type: export a copy without one (gpg --edit-key KEYID passwd, empty passphrase, in a throwaway GNUPGHOME) and store that")
            }
            _ = try await DecryptionTool.runSmall(DecryptionTool.configuration(gpg, common + ["--import"]), input: text)
            let listing = try await DecryptionTool.runSmall(
                DecryptionTool.configuration(gpg, common + ["--with-colons", "--list-secret-keys"]), input: "")
            var fingerprints: [String] = []
            var canEncrypt = false
            for line in listing.output.split(whereSeparator: \.isNewline) {
                let fields = line.split(separator: ":", omittingEmptySubsequences: false)
                if fields.first == "fpr", fields.count > 9, !fields[9].isEmpty { fingerprints.append(String(fields[9])) }
                if fields.first == "sec" || fields.first == "ssb", fields.count > 11, fields[11].contains("e") { canEncrypt = true }
            }
            guard !fingerprints.isEmpty else {
                throw DecryptionKeyError("gpg could not import the secret key (\(listing.messages.split(whereSeparator: \.isNewline).first ?? "no key listed"))")
            }
            guard canEncrypt else {
                throw DecryptionKeyError("the OpenPGP key has no encryption subkey, so no backup can be encrypted to it")
            }
            return DecryptionIdentity(name: name, kind: .openpgp, secret: text, recipients: fingerprints)
        }
    }

    private static func tool(_ name: String, package: String) throws -> String {
        do {
            return try DecryptionTool.locate(name, package: package)
        } catch {
            throw DecryptionKeyError("\(name) is not installed on the server: install it (apt-get install \(package))")
        }
    }
}
