import Foundation

/// Streaming rewrites for plain pg_dump output restored through psql by a non-superuser:
/// - our own `\restrict KEY` (random) goes first and the dump's `\restrict`/`\unrestrict` lines are dropped, so
///   no line of the dump can leave psql's restricted mode: every other backslash command (`\!`, `\copy`, …)
///   then fails the restore;
/// - `\connect`, `CREATE DATABASE` and `ALTER DATABASE` (pg_dump --create) are dropped: everything restores
///   into the sandbox database;
/// - ownership and privileges are skipped (`ALTER … OWNER TO`, `GRANT`, `REVOKE`, `ALTER DEFAULT PRIVILEGES`,
///   `SET SESSION AUTHORIZATION`), like `pg_restore --no-owner --no-acl`: the roles do not exist in the sandbox
///   and the restoring role is deliberately not a superuser;
/// - `SET name = …;` of a setting this server does not know (PostgreSQL 17's `transaction_timeout` on 15) is
///   skipped and reported, never silently.
/// COPY data (between `COPY … FROM stdin;` and `\.`) is passed through untouched.
struct PostgresDumpRules: DumpLineRules {
    /// Settings the server knows (`pg_settings`); dotted names (extension settings) are always accepted.
    let knownSettings: Set<String>
    let serverVersion: String
    let restrictKey: String
    private var inCopy = false
    private var tally = RewriteTally()
    private var skippedSettings: [String] = []
    private var skippedOwnership = 0

    init(knownSettings: Set<String>, serverVersion: String, restrictKey: String) {
        self.knownSettings = knownSettings
        self.serverVersion = serverVersion
        self.restrictKey = restrictKey
    }

    /// The line that opens the restore, before any byte of the dump.
    var preamble: [UInt8] { Array("\\restrict \(restrictKey)\n".utf8) }

    var rewrites: [DumpRewrite] { tally.all }

    var notes: [String] {
        var notes = skippedSettings.map { "skipped `SET \($0)`: unknown to PostgreSQL \(serverVersion) (the dump comes from a newer server)" }
        if skippedOwnership > 0 {
            notes.append("restored without ownership and privileges (\(skippedOwnership) OWNER TO/GRANT/REVOKE statement(s) skipped): their roles do not exist in the sandbox")
        }
        return notes
    }

    mutating func rewrite(_ line: UnsafeRawBufferPointer, complete: Bool, into output: inout [UInt8]) {
        if inCopy {
            if complete, DumpBytes.isCopyTerminator(line) { inCopy = false }
            output.append(contentsOf: line)
            return
        }
        guard complete, let first = line.first else {
            output.append(contentsOf: line)
            return
        }
        switch first {
        case UInt8(ascii: "\\"):
            let text = DumpBytes.text(line)
            if text.hasPrefix("\\restrict ") || text.hasPrefix("\\unrestrict ") {
                tally.add(from: "\\" + (text.dropFirst().split(separator: " ").first.map(String.init) ?? "") + " <dump's key>",
                          to: "(dropped: the restore runs under BackupFeed's own random \\restrict key)")
                return
            }
            if text.hasPrefix("\\connect ") || text.hasPrefix("\\c ") {
                tally.add(from: text, to: "(dropped: everything restores into the sandbox database)")
                return
            }
        case UInt8(ascii: "C"):
            if DumpBytes.hasPrefix(line, "COPY "), DumpBytes.text(line).hasSuffix("FROM stdin;") { inCopy = true }
            if DumpBytes.hasPrefix(line, "CREATE DATABASE ") {
                tally.add(from: "CREATE DATABASE", to: "(skipped: everything restores into the sandbox database)")
                return
            }
        case UInt8(ascii: "A"):
            let text = DumpBytes.text(line)
            if text.hasPrefix("ALTER "), let owner = text.firstMatch(of: #/ OWNER TO ("(?:[^"]|"")+"|[^\s;]+);$/#) {
                skippedOwnership += 1
                tally.add(from: "OWNER TO \(owner.output.1)", to: "(skipped: restored without ownership)")
                return
            }
            if text.hasPrefix("ALTER DEFAULT PRIVILEGES ") { return skipPrivileges("ALTER DEFAULT PRIVILEGES") }
            if text.hasPrefix("ALTER DATABASE ") {
                tally.add(from: "ALTER DATABASE", to: "(skipped: it names the dump's database, not the sandbox's)")
                return
            }
        case UInt8(ascii: "G"):
            if DumpBytes.hasPrefix(line, "GRANT ") { return skipPrivileges("GRANT") }
        case UInt8(ascii: "R"):
            if DumpBytes.hasPrefix(line, "REVOKE ") { return skipPrivileges("REVOKE") }
            if DumpBytes.hasPrefix(line, "RESET SESSION AUTHORIZATION") { return skipPrivileges("RESET SESSION AUTHORIZATION") }
        case UInt8(ascii: "S"):
            if DumpBytes.hasPrefix(line, "SET SESSION AUTHORIZATION ") { return skipPrivileges("SET SESSION AUTHORIZATION") }
            if DumpBytes.hasPrefix(line, "SET "), let skipped = unknownSetting(DumpBytes.text(line)) {
                skippedSettings.append(skipped)
                tally.add(from: "SET \(skipped)", to: "(skipped: unknown to PostgreSQL \(serverVersion))")
                return
            }
        default:
            break
        }
        output.append(contentsOf: line)
    }

    private mutating func skipPrivileges(_ kind: String) {
        skippedOwnership += 1
        tally.add(from: kind, to: "(skipped: restored without privileges)")
    }

    /// `name = value` when the line sets a plain setting this server does not have.
    private func unknownSetting(_ text: String) -> String? {
        guard !knownSettings.isEmpty,
              let match = text.firstMatch(of: #/^SET ([A-Za-z_][A-Za-z0-9_]*) (?:=|TO) (.*);$/#) else { return nil }
        let name = match.output.1.lowercased()
        guard !knownSettings.contains(name) else { return nil }
        return "\(name) = \(match.output.2)"
    }
}
