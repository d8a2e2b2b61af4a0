import Foundation

/// The mariadb/mysql client's view of a dump: where it would run one of its own commands. Outside strings and
/// comments a backslash followed by a letter is a client command wherever it appears (`\e` starts an editor,
/// `\r` connects elsewhere, `\P` pipes output through a program, `\!` runs a shell), and a named command
/// (`edit`, `connect`, `pager`, `system`, `tee`, `source`) is one at the start of a statement. Those that start
/// programs, open files or open connections refuse the dump; the client also runs with `--binary-mode`, which
/// turns its command parsing off, so this scanner is what names the line in the report.
///
/// `/*! … */` and `/*M! … */` are not comments to the client (their content runs on matching servers), so
/// they are read as SQL. Backslash escapes in strings follow `NO_BACKSLASH_ESCAPES` as the dump sets sql_mode.
struct MySQLClientCommandScanner: ClientCommandScanner {
    private enum State: Equatable { case normal, lineComment, blockComment, quoted(UInt8) }

    /// `\e` edit, `\r` connect, `\P` pager, `\!` system, `\T` tee, `\.` source.
    static let refusedShortCommands: Set<UInt8> = [0x65, 0x72, 0x50, 0x21, 0x54, 0x2E]
    static let refusedNamedCommands: Set<String> = ["edit", "connect", "pager", "system", "tee", "source"]

    private var state = State.normal
    private var line = 1
    private var escaped = false
    private var pendingBackslash = false
    private var pendingDash = 0
    private var pendingSlash = false
    private var pendingStar = false
    /// After `/*`, deciding whether it is a comment or `/*!` / `/*M!` SQL.
    private var openingComment: [UInt8]?
    private var delimiter: [UInt8] = [0x3B]
    private var delimiterMatched = 0
    /// The first word of the statement (lowercased) while it is being read; nil once it is complete.
    private var firstWord: [UInt8]? = []
    private var statementEmpty = true
    private var statementHead: [UInt8] = []
    private var backslashEscapes = true
    /// The statement is `DELIMITER …`: it ends at the line's end, and the old delimiter means nothing in it.
    private var inDelimiterCommand = false

    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> String? {
        for byte in bytes {
            if let refusal = step(byte) { return refusal }
            if byte == ScannerBytes.newline { line += 1 }
        }
        return nil
    }

    mutating func finish() -> String? {
        if pendingBackslash { return nil }
        return checkFirstWord(ended: true)
    }

    private mutating func step(_ byte: UInt8) -> String? {
        switch state {
        case .lineComment:
            if byte == ScannerBytes.newline { state = .normal; return endOfLine() }
            return nil
        case .blockComment:
            if pendingStar, byte == 0x2F { state = .normal; pendingStar = false; return nil }
            pendingStar = byte == 0x2A
            return nil
        case .quoted(let quote):
            if escaped { escaped = false; return nil }
            if byte == ScannerBytes.backslash, quote != 0x60, backslashEscapes { escaped = true; return nil }
            if statementHead.count < 512 { statementHead.append(byte) }
            if byte == quote { state = .normal }
            return nil
        case .normal:
            return normal(byte)
        }
    }

    private mutating func normal(_ byte: UInt8) -> String? {
        if pendingBackslash {
            pendingBackslash = false
            if Self.refusedShortCommands.contains(byte) {
                return "line \(line): the client command `\\\(Character(Unicode.Scalar(byte)))` is refused: the mariadb client would run it "
                    + "itself (it can start programs or open connections); mysqldump never writes one outside a string"
            }
            return nil
        }
        if var opening = openingComment {
            opening.append(byte)
            if opening == [0x21] || opening == [0x4D, 0x21] {
                openingComment = nil  // `/*!` or `/*M!`: SQL for the server
                return nil
            }
            if opening == [0x4D] { openingComment = opening; return nil }
            openingComment = nil
            state = .blockComment
            pendingStar = byte == 0x2A
            return nil
        }
        if pendingDash == 1 {
            pendingDash = 0
            if byte == 0x2D { pendingDash = 2; return nil }
            if let refusal = content(0x2D) { return refusal }
        } else if pendingDash == 2 {
            pendingDash = 0
            // `--` is a comment only when followed by whitespace or a control character.
            if byte <= 0x20 {
                state = byte == ScannerBytes.newline ? .normal : .lineComment
                return byte == ScannerBytes.newline ? endOfLine() : nil
            }
            if let refusal = content(0x2D) { return refusal }
            if let refusal = content(0x2D) { return refusal }
        }
        if pendingSlash {
            pendingSlash = false
            if byte == 0x2A { openingComment = []; return nil }
            if let refusal = content(0x2F) { return refusal }
        }
        switch byte {
        case ScannerBytes.backslash:
            pendingBackslash = true
            return nil
        case 0x23:
            state = .lineComment
            return nil
        case 0x2D:
            pendingDash = 1
            return nil
        case 0x2F:
            pendingSlash = true
            return nil
        case 0x27, 0x22, 0x60:
            if let refusal = content(byte) { return refusal }
            state = .quoted(byte)
            return nil
        case ScannerBytes.newline:
            return endOfLine()
        default:
            if ScannerBytes.isSpace(byte) {
                if let refusal = checkFirstWord(ended: false) { return refusal }
                if !statementEmpty, statementHead.count < 512 { statementHead.append(0x20) }
                if !inDelimiterCommand { delimiterMatched = 0 }
                return nil
            }
            return content(byte)
        }
    }

    /// A byte of SQL text: feeds the first word and the delimiter match.
    private mutating func content(_ byte: UInt8) -> String? {
        if firstWord != nil, !ScannerBytes.isIdentifier(byte), let refusal = checkFirstWord(ended: true) { return refusal }
        if inDelimiterCommand {
            statementHead.append(byte)
            return nil
        }
        if byte == delimiter[delimiterMatched] {
            delimiterMatched += 1
            if delimiterMatched == delimiter.count {
                delimiterMatched = 0
                return endOfStatement()
            }
        } else {
            delimiterMatched = byte == delimiter[0] ? 1 : 0
        }
        statementEmpty = false
        if statementHead.count < 512 { statementHead.append(byte) }
        if var word = firstWord {
            if ScannerBytes.isIdentifier(byte) {
                if word.count < 16 { word.append(ScannerBytes.lowercased(byte)) }
                firstWord = word
            } else {
                return checkFirstWord(ended: true)
            }
        }
        return nil
    }

    /// Once the statement's first word is complete: a named client command refuses the dump; `delimiter` changes
    /// how statements end.
    private mutating func checkFirstWord(ended: Bool) -> String? {
        guard let word = firstWord, !word.isEmpty else { return nil }
        firstWord = nil
        let name = String(decoding: word, as: UTF8.self)
        if name == "delimiter" { inDelimiterCommand = true }
        if Self.refusedNamedCommands.contains(name) {
            return "line \(line): the client command `\(name)` is refused: the mariadb client would run it itself "
                + "(it can start programs or open connections); mysqldump never writes one"
        }
        return nil
    }

    private mutating func endOfLine() -> String? {
        if let refusal = checkFirstWord(ended: true) { return refusal }
        // `DELIMITER ;;` is a client command ending at the line's end, not at a delimiter.
        if inDelimiterCommand {
            let head = String(decoding: statementHead, as: UTF8.self)
            let value = head.dropFirst("delimiter".count).trimmingCharacters(in: .whitespacesAndNewlines)
            if let token = value.split(whereSeparator: \.isWhitespace).first { delimiter = Array(token.utf8) }
            resetStatement()
        } else if !statementEmpty, statementHead.count < 512 {
            statementHead.append(0x20)
        }
        delimiterMatched = 0
        return nil
    }

    private mutating func endOfStatement() -> String? {
        let head = String(decoding: statementHead, as: UTF8.self).lowercased()
        if head.contains("sql_mode") {
            backslashEscapes = !head.contains("no_backslash_escapes")
        }
        resetStatement()
        return nil
    }

    private mutating func resetStatement() {
        inDelimiterCommand = false
        statementEmpty = true
        statementHead = []
        firstWord = []
    }
}
