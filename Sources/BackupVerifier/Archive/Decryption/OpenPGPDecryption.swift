import Foundation
import Subprocess

/// `gpg --decrypt` in a throwaway `GNUPGHOME` holding the stored OpenPGP secret keys, reading gpg's machine
/// status lines (`--status-fd`): which key opened the message (`DECRYPTION_KEY`), which keys it was for
/// (`ENC_TO`), and whether its integrity held (`GOODMDC`, `BADMDC`, `DECRYPTION_FAILED`).
enum OpenPGPDecryption {
    static func open(
        _ source: CiphertextSource, keyring: DecryptionKeyring, plaintext: (UnsafeRawBufferPointer) async throws -> Void
    ) async throws -> (identity: String, outcome: ToolOutcome) {
        let gpg = try DecryptionTool.locate("gpg", package: "gnupg")
        let identities = keyring.identities(of: .openpgp)
        let outcome = try await DecryptionWorkspace.with { workspace in
            let home = try workspace.makeGnuPGHome().path
            let common = ["--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--no-auto-key-retrieve", "--no-auto-key-locate"]
            if !identities.isEmpty {
                let keys = identities.map(\.secret).joined(separator: "\n")
                _ = try await DecryptionTool.runSmall(DecryptionTool.configuration(gpg, common + ["--import"]), input: keys)
            }
            // --status-fd 2: the status lines share stderr with gpg's messages; stdout carries only plaintext.
            // --max-output: gpg decompresses (it compresses by default), so it stops a bomb itself too.
            let arguments = common + ["--status-fd", "2", "--max-output", "\(source.limits.maxExpandedBytes)", "--decrypt"]
            return try await DecryptionTool.run(DecryptionTool.configuration(gpg, arguments), ciphertext: source, plaintext: plaintext)
        }
        let status = GnuPGStatus(outcome.messages)
        let location = source.route.innermostEntry.map { "\($0): " } ?? ""
        if status.has("BADMDC") {
            throw ArchiveError.damagedLayer("\(location)OpenPGP: the message fails its integrity check (BADMDC, gpg: \"encrypted message has been manipulated\"): the ciphertext was modified after encryption")
        }
        if status.has("NEED_PASSPHRASE_SYM") {
            throw ArchiveError.unsupported(
                "\(location)encrypted with a passphrase (gpg -c): the feed verifies backups encrypted to a key; encrypt with gpg -e -r KEY and store its secret key (PUT /api/decryption-keys/NAME)")
        }
        if status.has("DECRYPTION_OKAY"), outcome.status.isSuccess, !status.has("DECRYPTION_FAILED") {
            let used = status.values("DECRYPTION_KEY").flatMap { $0.split(separator: " ").prefix(2).map(String.init) }
            let matched = identities.first { identity in identity.recipients.contains { used.contains($0) } }
            // gpg names the key it used; should no stored fingerprint match it, say which keys were offered.
            return (matched?.name ?? identities.map(\.name).joined(separator: " or "), outcome)
        }
        let noKey = status.values("NO_SECKEY")
        if !status.has("DECRYPTION_KEY"), !noKey.isEmpty, outcome.plaintextBytes == 0 {
            let keyIDs = status.values("ENC_TO").compactMap { $0.split(separator: " ").first.map(String.init) }
            let stored = identities.isEmpty ? "the feed holds no OpenPGP secret key" : "none of the \(identities.count) stored OpenPGP keys is among them"
            throw ArchiveError.unsupported(
                "\(location)OpenPGP-encrypted to key ID\(keyIDs.count == 1 ? "" : "s") \((keyIDs.isEmpty ? noKey : keyIDs).joined(separator: ", ")), and \(stored): add the secret key (gpg --armor --export-secret-keys KEYID, then PUT /api/decryption-keys/NAME or backupfeed decryption-keys add NAME FILE)")
        }
        let reason = outcome.messages.split(separator: "\n").filter { $0.hasPrefix("gpg: ") }.last.map { String($0.dropFirst(5)) } ?? "exit \(outcome.status)"
        if status.has("DECRYPTION_FAILED") || status.has("BEGIN_DECRYPTION") {
            throw ArchiveError.damagedLayer("\(location)OpenPGP: decryption failed after \(ByteFormat.string(outcome.plaintextBytes)) of plaintext (gpg: \(reason)): the message is truncated or damaged")
        }
        throw ArchiveError.damagedLayer("\(location)gpg could not read the OpenPGP message (gpg: \(reason)): it is damaged or not a message")
    }
}

/// gpg's `[GNUPG:] KEYWORD args` lines.
struct GnuPGStatus {
    private var lines: [(keyword: String, value: String)] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") where line.hasPrefix("[GNUPG:] ") {
            let rest = line.dropFirst("[GNUPG:] ".count)
            let parts = rest.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first else { continue }
            lines.append((String(keyword), parts.count > 1 ? String(parts[1]) : ""))
        }
    }

    func has(_ keyword: String) -> Bool { lines.contains { $0.keyword == keyword } }
    func values(_ keyword: String) -> [String] { lines.filter { $0.keyword == keyword }.map(\.value) }
}
