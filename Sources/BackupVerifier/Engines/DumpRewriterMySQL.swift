import Foundation

/// Streaming rewrites that let mysqldump output from MySQL 8 (and any mysqldump/mariadb-dump) restore into MariaDB:
/// - MySQL 8's `_0900_` collations (unknown to MariaDB) become the closest collation the server has;
/// - `DEFINER=` clauses are removed: the named users do not exist in the sandbox (a trigger would fail with
///   ERROR 1449 the first time an INSERT fires it), and the restoring account, deliberately without SUPER,
///   may not name anyone but itself; it then owns the view, trigger or routine;
/// - replication, server-wide and account statements and the system schemas of `--all-databases` are skipped
///   (`MySQLStatementSkips`); MySQL 8 syntax MariaDB lacks is translated (`MySQL8Syntax`).
/// Data lines (`INSERT INTO …`) of user schemas are never touched: a collation name or "DEFINER=" inside a value is data.
struct MySQLDumpRules: DumpLineRules {
    /// Collation names the target server knows; candidates are tried in order of closeness.
    let knownCollations: Set<String>
    /// Untranslatable MySQL 8 syntax seen so far, with its output lines, for the engine's error report.
    let findings: MySQL8Findings
    private var tally = RewriteTally()
    private var skipped = RewriteTally()
    private var mapped: [String: String] = [:]
    private var strippedDefiners = 0
    /// Output lines written so far (the client's "at line N" counts these).
    private var outputLines = 0
    /// A statement being skipped that continues on the next line (a multi-line GTID set).
    private var skippingStatement = false
    /// Follows the dump as the client reads it (strings, comments, `DELIMITER`), so that statements are recognised,
    /// skipped and collected only where one really starts and ends: a skip that began or ended inside a string would
    /// change how the client reads everything after it (a fuzzed dump hid `\!` that way).
    private var lexer = StatementLexer(dialect: .mysql)
    /// The system schema whose statements are being skipped (`--all-databases`), with its counts.
    private var systemSchema: String?
    private var systemCounts: [String: (statements: Int, tables: Int)] = [:]
    private var systemOrder: [String] = []
    /// A CREATE TABLE statement collected line by line, translated as a whole when it ends.
    private var createTable: [String]?
    private var createTableEndings: [[UInt8]] = []
    private var createTableBytes = 0
    private(set) var dropsRestOfLine = false
    /// Under `DELIMITER ;;` mysqldump writes routine, trigger and event bodies: their lines are statements of
    /// the body (a `FLUSH` or `SET GLOBAL` inside a procedure), never skipped or regrouped.
    private var inRoutineBlock = false

    init(knownCollations: Set<String>, findings: MySQL8Findings = MySQL8Findings()) {
        self.knownCollations = knownCollations
        self.findings = findings
    }

    var rewrites: [DumpRewrite] {
        var all = tally.all + skipped.all
        for schema in systemOrder {
            let counts = systemCounts[schema] ?? (0, 0)
            all.append(DumpRewrite(
                from: "`\(schema)` system schema (\(counts.tables) table\(counts.tables == 1 ? "" : "s"))",
                to: "(skipped: MariaDB's own schema, not user data; the restoring account has no rights there by design)",
                occurrences: counts.statements))
        }
        return all
    }

    var notes: [String] {
        var notes: [String] = []
        if !mapped.isEmpty {
            let list = mapped.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }.joined(separator: ", ")
            notes.append("MySQL 8 collations unknown to MariaDB were mapped to the closest MariaDB collation: \(list)")
        }
        if strippedDefiners > 0 {
            notes.append("removed \(strippedDefiners) DEFINER clause(s): their accounts do not exist in the sandbox, so those views, triggers and routines run as the restoring account")
        }
        let translated = tally.all.filter { !$0.from.hasPrefix("DEFINER=") && !$0.from.contains("0900") }
        if !translated.isEmpty {
            notes.append("translated MySQL 8 syntax MariaDB lacks: " + translated.map { "\($0.from) (\($0.occurrences)×)" }.joined(separator: ", "))
        }
        let skippedKinds = skipped.all
        if !skippedKinds.isEmpty || !systemOrder.isEmpty {
            let statements = skippedKinds.map { "\($0.from) (\($0.occurrences)×)" } + systemOrder.map { "the `\($0)` system schema" }
            notes.append("skipped what restores the source server rather than its data: " + statements.joined(separator: ", "))
        }
        return notes
    }

    mutating func passedThrough(_ bytes: UnsafeRawBufferPointer) { lexer.feed(bytes) }

    mutating func rewrite(_ line: UnsafeRawBufferPointer, complete: Bool, into output: inout [UInt8]) {
        dropsRestOfLine = false
        let startsStatement = lexer.isBetweenStatements
        lexer.feed(line)
        if skippingStatement {
            guard startsStatement else {
                if !complete { dropsRestOfLine = true }
                return
            }
            skippingStatement = false
        }
        if systemSchema != nil, skipSystemSchemaLine(line, complete: complete, startsStatement: startsStatement) { return }
        if createTable != nil {
            collectCreateTable(line, complete: complete, into: &output)
            return
        }
        // Data lines (the bulk of a dump, up to megabytes each) are passed on without being searched.
        let isData = DumpBytes.hasPrefix(line, "INSERT INTO") || DumpBytes.hasPrefix(line, "REPLACE INTO") || DumpBytes.hasPrefix(line, "(")
        guard !isData, complete else {
            emit(line, into: &output, complete: complete)
            return
        }
        let text = DumpBytes.text(line)
        if startsStatement, text.hasPrefix("DELIMITER ") || text.hasPrefix("delimiter ") {
            inRoutineBlock = text.dropFirst(10).trimmingCharacters(in: .whitespaces) != ";"
        }
        if inRoutineBlock {
            emitText(rewriteText(text), ending: DumpBytes.ending(line), into: &output)
            return
        }
        // A line that continues a statement (a multi-line view, a string over lines) gets the line rewrites
        // (collations, DEFINER) but is never skipped or regrouped: only a statement's first line says what it is.
        guard startsStatement else {
            emitText(rewriteText(text), ending: DumpBytes.ending(line), into: &output)
            return
        }
        let statement = MySQLStatementSkips.unwrapVersioned(text[...])
        if let kind = MySQLStatementSkips.skipKind(statement) {
            skipped.add(from: kind, to: "(skipped: about the source server, not its data)")
            skippingStatement = !lexer.isBetweenStatements
            return
        }
        if let schema = MySQLStatementSkips.schemaSwitch(statement), MySQLStatementSkips.systemSchemas.contains(schema.lowercased()) {
            enterSystemSchema(schema.lowercased())
            return
        }
        if statement.uppercased().hasPrefix("CREATE TABLE") || statement.uppercased().hasPrefix("CREATE TEMPORARY TABLE"), !lexer.isBetweenStatements {
            createTable = []
            createTableEndings = []
            createTableBytes = 0
            collectCreateTable(line, complete: true, into: &output)
            return
        }
        let rewritten = rewriteText(text)
        emitText(rewritten, ending: DumpBytes.ending(line), into: &output)
    }

    // MARK: - system schemas

    private mutating func enterSystemSchema(_ schema: String) {
        systemSchema = schema
        if systemCounts[schema] == nil {
            systemCounts[schema] = (0, 0)
            systemOrder.append(schema)
        }
        systemCounts[schema]?.statements += 1
    }

    /// Skips a line of a system schema; false when the line switches to a user schema (it is then handled normally).
    /// Only a line that starts a statement can switch schemas or pass a `DELIMITER` on; the skipped part always
    /// ends where a statement starts, so the client reads what follows exactly as the dump has it.
    private mutating func skipSystemSchemaLine(_ line: UnsafeRawBufferPointer, complete: Bool, startsStatement: Bool) -> Bool {
        guard let schema = systemSchema else { return false }
        if !complete { dropsRestOfLine = true; return true }
        // Client delimiters stay balanced whatever is skipped between them.
        if startsStatement, DumpBytes.hasPrefix(line, "DELIMITER") { return false }
        let isData = DumpBytes.hasPrefix(line, "INSERT INTO") || DumpBytes.hasPrefix(line, "REPLACE INTO") || DumpBytes.hasPrefix(line, "(")
        if startsStatement, !isData {
            let text = DumpBytes.text(line)
            let statement = MySQLStatementSkips.unwrapVersioned(text[...])
            if let next = MySQLStatementSkips.schemaSwitch(statement) {
                if MySQLStatementSkips.systemSchemas.contains(next.lowercased()) {
                    enterSystemSchema(next.lowercased())
                    return true
                }
                systemSchema = nil
                return false
            }
            if statement.uppercased().hasPrefix("CREATE TABLE") { systemCounts[schema]?.tables += 1 }
        }
        if lexer.isBetweenStatements { systemCounts[schema]?.statements += 1 }
        return true
    }

    // MARK: - CREATE TABLE

    private mutating func collectCreateTable(_ line: UnsafeRawBufferPointer, complete: Bool, into output: inout [UInt8]) {
        guard complete, createTableBytes + line.count <= 1 << 20 else {
            // An over-long definition is passed on as it is: translation is for the ordinary ones.
            flushCreateTable(translate: false, into: &output)
            emit(line, into: &output, complete: complete)
            return
        }
        createTable?.append(DumpBytes.text(line))
        createTableEndings.append(DumpBytes.ending(line))
        createTableBytes += line.count
        if lexer.isBetweenStatements { flushCreateTable(translate: true, into: &output) }
    }

    private mutating func flushCreateTable(translate: Bool, into output: inout [UInt8]) {
        guard let lines = createTable else { return }
        createTable = nil
        var result = lines
        if translate {
            let (translated, untranslated) = MySQL8Syntax.translateCreateTable(lines, tally: &tally)
            result = translated
            let first = outputLines + 1
            let last = outputLines + result.count
            for feature in untranslated { findings.add(lines: first...last, feature: feature) }
        }
        let inner = createTableEndings.first.flatMap { $0.isEmpty ? nil : $0 } ?? [0x0A]
        for (index, text) in result.enumerated() {
            let ending = index == result.count - 1 ? (createTableEndings.last ?? []) : inner
            emitText(rewriteText(text), ending: ending, into: &output)
        }
    }

    // MARK: - line rewrites

    private mutating func rewriteText(_ line: String) -> String {
        var text = line
        if text.contains("_0900_") { text = mapCollations(text) }
        if text.contains("DEFINER") { text = stripDefiners(text) }
        text = MySQL8Syntax.translateLine(text, tally: &tally)
        if let comment = MySQL8Syntax.remainingVersionedComment(text) {
            findings.add(lines: (outputLines + 1)...(outputLines + 1), feature: "the MySQL 8 versioned comment \(comment)")
        }
        return text
    }

    private mutating func emit(_ line: UnsafeRawBufferPointer, into output: inout [UInt8], complete: Bool) {
        output.append(contentsOf: line)
        // An over-long line's newline comes with the rest the rewriter passes through: count it now.
        if !complete || line.last == 0x0A { outputLines += 1 }
    }

    private mutating func emitText(_ text: String, ending: [UInt8], into output: inout [UInt8]) {
        output.append(contentsOf: text.utf8)
        output.append(contentsOf: ending)
        if ending.last == 0x0A { outputLines += 1 }
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

    /// Account names are matched only when made of the characters real accounts use (letters, digits and `_.$%:+ -`, never `--`; a quote only doubled):
    /// removing such a clause cannot change where a string, identifier or comment ends, whatever the line holds.
    /// A name with a quote, backslash or comment character in it (`'a\'@…`, seen in a fuzzed dump) is left alone:
    /// stripping it as if the backslash were a character uncovered the client command `\e` hidden in the string.
    private mutating func stripDefiners(_ text: String) -> String {
        let account = #/DEFINER\s*=\s*(`(?:[\p{L}\p{N}_.$%:+ ]|-(?!-)|``)*`|'(?:[\p{L}\p{N}_.$%:+ ]|-(?!-)|'')*'|(?:[A-Za-z0-9_$.]|-(?!-))+)\s*@\s*(`(?:[\p{L}\p{N}_.$%:+ ]|-(?!-)|``)*`|'(?:[\p{L}\p{N}_.$%:+ ]|-(?!-)|'')*'|(?:[A-Za-z0-9_$.%]|-(?!-))+)\s?/#
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
