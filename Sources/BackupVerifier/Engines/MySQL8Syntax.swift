import Foundation
import Synchronization

/// MySQL 8 syntax MariaDB lacks, translated where a faithful translation exists:
/// - a generated column declared `NOT NULL` (Oracle's world_x, MySQL document-store collections): MariaDB refuses
///   NOT NULL on generated columns; the column keeps its expression, only the constraint goes;
/// - a `CHECK (…) /*!80016 NOT ENFORCED */` constraint: MySQL never evaluates it, so it is left out;
/// - a non-unique functional index `KEY idx ((expr))`: an index holds no data; it is left out;
/// - an invisible index `/*!80000 INVISIBLE */`: MariaDB's name for it is `IGNORED`;
/// - `/*!80003 SRID n */` on a spatial column: MariaDB's `REF_SYSTEM_ID=n`;
/// - `/*!80016 DEFAULT ENCRYPTION='N' */` on a database or table: MariaDB's default, left out;
/// - the JSON operators `col->>'$.p'` and `col->'$.p'`: `JSON_UNQUOTE(JSON_EXTRACT(col, '$.p'))`, `JSON_EXTRACT(col, '$.p')`.
/// What has no faithful translation (a UNIQUE functional index, another MySQL 8 versioned comment) is noted
/// with its output lines, so that a restore error there is reported as MySQL 8 syntax (`error`), not a bad backup.
enum MySQL8Syntax {
    /// Translates one buffered `CREATE TABLE` statement (its lines without line endings).
    /// Returns the new lines and the MySQL 8 features left untranslated.
    static func translateCreateTable(_ lines: [String], tally: inout RewriteTally) -> (lines: [String], untranslated: [String]) {
        guard lines.count >= 2 else { return (lines, []) }
        var untranslated: [String] = []
        let head = lines[0]
        let closing = lines[lines.count - 1]
        var elements: [String] = []
        var changedElements = false
        let generated = generatedColumns(lines[1..<(lines.count - 1)])
        for var element in lines[1..<(lines.count - 1)] {
            let table = tableName(head)
            if !generated.isEmpty, let key = element.firstMatch(of: #/^(\s*)PRIMARY KEY (\(.*\))(.*)$/#),
               generated.contains(where: { key.output.2.contains($0) }) {
                // MariaDB allows no primary key on a generated column; a unique key keeps the same rows apart.
                element = "\(key.output.1)UNIQUE KEY \(key.output.2)\(key.output.3)"
                tally.add(from: "PRIMARY KEY on a generated column (MySQL 8)", to: "UNIQUE KEY (MariaDB allows no primary key on a generated column)")
            }
            if element.contains(" NOT ENFORCED */"), element.range(of: #"^\s*(CONSTRAINT .*)?CHECK \(.*\) /\*!80016 NOT ENFORCED \*/,?\s*$"#, options: .regularExpression) != nil {
                tally.add(from: "CHECK … NOT ENFORCED (MySQL 8.0.16+)", to: "(left out: MySQL does not evaluate a NOT ENFORCED check)")
                changedElements = true
                continue
            }
            if let functional = functionalIndex(element) {
                if functional.unique {
                    untranslated.append("the UNIQUE functional index \(functional.name) on \(table) (MySQL 8.0.13+; MariaDB has no functional indexes)")
                } else {
                    tally.add(from: "functional index KEY … ((expression)) (MySQL 8.0.13+)", to: "(left out: MariaDB has no functional indexes; an index holds no data)")
                    changedElements = true
                    continue
                }
            }
            if element.contains("GENERATED ALWAYS AS"), let range = element.range(of: #"\) (STORED|VIRTUAL) NOT NULL"#, options: .regularExpression) {
                let kept = element[range].replacingOccurrences(of: " NOT NULL", with: "")
                element.replaceSubrange(range, with: kept)
                tally.add(from: "generated column declared NOT NULL (MySQL 8)", to: "generated column without NOT NULL (MariaDB allows no NOT NULL there)")
            }
            if element.contains("/*!80000 INVISIBLE */"), element.range(of: #"^\s*(UNIQUE |FULLTEXT |SPATIAL )?KEY "#, options: .regularExpression) != nil {
                element = element.replacingOccurrences(of: "/*!80000 INVISIBLE */", with: "IGNORED")
                tally.add(from: "invisible index /*!80000 INVISIBLE */", to: "IGNORED (MariaDB's name for it)")
            }
            element = translateSRID(element, tally: &tally)
            elements.append(element)
        }
        if changedElements {
            // Elements are comma-separated: the last one left must not end with a comma, all others must.
            elements = elements.enumerated().map { index, element in
                var text = element
                while text.last == " " { text.removeLast() }
                if text.hasSuffix(",") { text.removeLast() }
                return index == elements.count - 1 ? text : text + ","
            }
        }
        return ([translateLine(head, tally: &tally)] + elements.map { translateLine($0, tally: &tally) } + [translateLine(closing, tally: &tally)], untranslated)
    }

    /// Translations that apply to any non-data line (views, routines, triggers, CREATE DATABASE).
    static func translateLine(_ line: String, tally: inout RewriteTally) -> String {
        var text = line
        if text.contains("ENCRYPTION=") {
            text = text.replacing(#/ ?\/\*!80016 (DEFAULT )?ENCRYPTION='[NYny]' \*\//#) { match in
                tally.add(from: String(match.output.0).trimmingCharacters(in: .whitespaces), to: "(left out: MariaDB's default, unencrypted)")
                return ""
            }
        }
        if text.contains("->") { text = translateJSONOperators(text, tally: &tally) }
        return text
    }

    /// `col->>'$.path'` → `JSON_UNQUOTE(JSON_EXTRACT(col, '$.path'))`; `col->'$.path'` → `JSON_EXTRACT(col, '$.path')`.
    /// Only a column reference followed by a quoted path is translated: `'a->b'` inside a string stays as it is.
    static func translateJSONOperators(_ text: String, tally: inout RewriteTally) -> String {
        let column = #"((?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*)){0,2})"#
        let path = #"('(?:[^'\\]|\\.|'')*')"#
        guard let regex = try? Regex(column + #"\s*(->>|->)\s*"# + path) else { return text }
        return text.replacing(regex) { match in
            let col = match.output[1].substring.map(String.init) ?? ""
            let op = match.output[2].substring.map(String.init) ?? ""
            let quoted = match.output[3].substring.map(String.init) ?? ""
            if op == "->>" {
                tally.add(from: "->> (MySQL JSON operator)", to: "JSON_UNQUOTE(JSON_EXTRACT(…))")
                return "JSON_UNQUOTE(JSON_EXTRACT(\(col), \(quoted)))"
            }
            tally.add(from: "-> (MySQL JSON operator)", to: "JSON_EXTRACT(…)")
            return "JSON_EXTRACT(\(col), \(quoted))"
        }
    }

    /// `\`g\` point NOT NULL /*!80003 SRID 4326 */` → `\`g\` point REF_SYSTEM_ID=4326 NOT NULL`: MariaDB wants the
    /// attribute right after the type.
    private static func translateSRID(_ element: String, tally: inout RewriteTally) -> String {
        guard element.contains("SRID"),
              let match = element.firstMatch(of: #/^(\s*`(?:[^`]|``)+` [a-z]+(?:\([^)]*\))?)(.*?) ?\/\*!80003 SRID (\d+) \*\/(.*)$/#)
        else { return element }
        tally.add(from: "/*!80003 SRID n */ (spatial reference of a column)", to: "REF_SYSTEM_ID=n")
        return "\(match.output.1) REF_SYSTEM_ID=\(match.output.3)\(match.output.2)\(match.output.4)"
    }

    /// The names of the generated columns a CREATE TABLE declares.
    private static func generatedColumns(_ elements: ArraySlice<String>) -> Set<String> {
        Set(elements.compactMap { element in
            guard element.contains("GENERATED ALWAYS AS") else { return nil }
            return element.firstMatch(of: #/^\s*(`(?:[^`]|``)+`)/#).map { String($0.output.1) }
        })
    }

    /// A MySQL 8 versioned comment (`/*!80013 …*/` … `/*!99999 …*/`) still in a line after translation: MariaDB
    /// runs such comments (their version is below its own 10.x), and their contents are MySQL 8 syntax.
    static func remainingVersionedComment(_ line: String) -> String? {
        guard line.contains("/*!8") || line.contains("/*!9"),
              let match = line.firstMatch(of: #/\/\*![89]\d{4}\s[^*]{0,60}/#) else { return nil }
        return String(match.output).trimmingCharacters(in: .whitespaces) + " …*/"
    }

    private static func functionalIndex(_ element: String) -> (name: String, unique: Bool)? {
        guard let match = element.firstMatch(of: #/^\s*(UNIQUE )?(?:KEY|INDEX) (`(?:[^`]|``)*`) \((.*)\)/#) else { return nil }
        let parts = String(match.output.3)
        // A key part that is an expression is written in its own parentheses: `((lower(name)))`, `(`a`,(expr))`.
        guard parts.hasPrefix("(") || parts.contains(",(") else { return nil }
        return (String(match.output.2), match.output.1 != nil)
    }

    private static func tableName(_ head: String) -> String {
        head.firstMatch(of: #/`((?:[^`]|``)+)`/#).map { String($0.output.1) } ?? "a table"
    }
}

/// MySQL 8 features the rewriter saw but could not translate, with the output lines of their statements; shared
/// with the engine so that a client error on one of those lines is reported as a verifier limit (`error`).
final class MySQL8Findings: Sendable {
    struct Finding: Sendable {
        var lines: ClosedRange<Int>
        var feature: String
    }

    private let state = Mutex<[Finding]>([])

    func add(lines: ClosedRange<Int>, feature: String) {
        state.withLock { $0.append(Finding(lines: lines, feature: feature)) }
    }

    var all: [Finding] { state.withLock { $0 } }

    /// The feature whose statement the client's error points at (`ERROR 1064 (42000) at line 57: …`), if any.
    func feature(forClientError error: String) -> String? {
        guard let match = error.firstMatch(of: #/^ERROR \d+ \([0-9A-Z]+\) at line (\d+)/#), let line = Int(match.output.1) else { return nil }
        // The client names the line where the failing statement ends (or the one after a trailing comment).
        return all.first { $0.lines.lowerBound <= line && line <= $0.lines.upperBound + 1 }?.feature
    }
}
