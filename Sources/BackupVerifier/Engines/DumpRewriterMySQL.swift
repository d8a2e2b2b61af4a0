import Foundation

/// Streaming rewrites that let mysqldump output from MySQL 8 restore into MariaDB:
/// - MySQL 8's `_0900_` collations (unknown to MariaDB) become the closest collation the server has;
/// - `DEFINER=` clauses are removed: the named users do not exist in the sandbox (a trigger would fail with
///   ERROR 1449 the first time an INSERT fires it), and the restoring account, deliberately without SUPER,
///   may not name anyone but itself; it then owns the view, trigger or routine.
/// Data lines (`INSERT INTO …`) are never touched: a collation name or "DEFINER=" inside a value is data.
struct MySQLDumpRules: DumpLineRules {
    /// Collation names the target server knows; candidates are tried in order of closeness.
    let knownCollations: Set<String>
    private var tally = RewriteTally()
    private var mapped: [String: String] = [:]
    private var strippedDefiners = 0

    init(knownCollations: Set<String>) {
        self.knownCollations = knownCollations
    }

    var rewrites: [DumpRewrite] { tally.all }

    var notes: [String] {
        var notes: [String] = []
        if !mapped.isEmpty {
            let list = mapped.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }.joined(separator: ", ")
            notes.append("MySQL 8 collations unknown to MariaDB were mapped to the closest MariaDB collation: \(list)")
        }
        if strippedDefiners > 0 {
            notes.append("removed \(strippedDefiners) DEFINER clause(s): their accounts do not exist in the sandbox, so those views, triggers and routines run as the restoring account")
        }
        return notes
    }

    mutating func rewrite(_ line: UnsafeRawBufferPointer, complete: Bool, into output: inout [UInt8]) {
        // Data lines (the bulk of a dump, up to megabytes each) are passed on without being searched.
        let isData = DumpBytes.hasPrefix(line, "INSERT INTO") || DumpBytes.hasPrefix(line, "REPLACE INTO") || DumpBytes.hasPrefix(line, "(")
        let hasCollation = !isData && complete && DumpBytes.contains(line, "_0900_")
        let hasDefiner = !isData && complete && DumpBytes.contains(line, "DEFINER")
        guard hasCollation || hasDefiner else {
            output.append(contentsOf: line)
            return
        }
        var text = DumpBytes.text(line)
        if hasCollation { text = mapCollations(text) }
        if hasDefiner { text = stripDefiners(text) }
        output.append(contentsOf: text.utf8)
        output.append(contentsOf: DumpBytes.ending(line))
    }

    private mutating func mapCollations(_ text: String) -> String {
        text.replacing(#/\b(utf8mb4|utf8mb3|utf8)_((?:[a-z]+_)*?)0900_(ai_ci|as_ci|as_cs|bin)\b/#) { match in
            let from = String(match.output.0)
            let to = mapped[from] ?? closestCollation(language: String(match.output.2.dropLast()), suffix: String(match.output.3))
            mapped[from] = to
            tally.add(from: from, to: to)
            return to
        }
    }

    /// MySQL's language tags in `_0900_` names and MariaDB's names for the same tailorings.
    private static let languages: [String: String] = [
        "de_pb": "german2", "is": "icelandic", "lv": "latvian", "ro": "romanian", "sl": "slovenian", "pl": "polish",
        "et": "estonian", "es": "spanish", "sv": "swedish", "tr": "turkish", "cs": "czech", "da": "danish",
        "lt": "lithuanian", "sk": "slovak", "es_trad": "spanish2", "la": "roman", "eo": "esperanto",
        "hu": "hungarian", "hr": "croatian", "vi": "vietnamese",
    ]

    /// MySQL 8's UCA 9.0.0 collations are NO PAD; MariaDB 10.10+ has UCA 14.0.0 ones (`uca1400`), NO PAD
    /// variants first so that 'a' and 'a ' stay distinct in unique keys, as they were on MySQL.
    func closestCollation(language: String, suffix: String) -> String {
        var candidates: [String] = []
        if let lang = Self.languages[language] {
            candidates += ["utf8mb4_uca1400_\(lang)_nopad_\(suffix)", "utf8mb4_uca1400_\(lang)_\(suffix)"]
        }
        switch suffix {
        case "bin":
            candidates += ["utf8mb4_nopad_bin", "utf8mb4_bin"]
        case "as_cs":
            candidates += ["utf8mb4_uca1400_nopad_as_cs", "utf8mb4_uca1400_as_cs", "utf8mb4_bin"]
        default:
            candidates += ["utf8mb4_uca1400_nopad_\(suffix)", "utf8mb4_uca1400_\(suffix)", "utf8mb4_unicode_520_nopad_ci", "utf8mb4_unicode_520_ci"]
        }
        return candidates.first(where: knownCollations.contains) ?? "utf8mb4_general_ci"
    }

    private mutating func stripDefiners(_ text: String) -> String {
        let account = #/DEFINER\s*=\s*(`(?:[^`]|``)*`|'(?:[^']|'')*'|[A-Za-z0-9_$.-]+)\s*@\s*(`(?:[^`]|``)*`|'(?:[^']|'')*'|[A-Za-z0-9_$.%-]+)\s?/#
        return text.replacing(account) { match in
            let user = Self.unquote(String(match.output.1))
            let host = Self.unquote(String(match.output.2))
            strippedDefiners += 1
            tally.add(from: "DEFINER=\(user)@\(host)", to: "(removed: the restoring user owns the object)")
            return ""
        }
    }

    private static func unquote(_ name: String) -> String {
        guard let first = name.first, first == "`" || first == "'", name.count >= 2 else { return name }
        return String(name.dropFirst().dropLast()).replacingOccurrences(of: String(first) + String(first), with: String(first))
    }
}
