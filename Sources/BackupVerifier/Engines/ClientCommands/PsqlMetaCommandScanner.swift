import Foundation

/// psql's view of a plain pg_dump: where it would see a backslash meta-command. psql runs meta-commands itself
/// (`\!` runs a shell, and even in `\restrict` mode it expands backticks in `\unrestrict`'s argument), so a
/// backslash outside string literals, quoted identifiers, dollar quotes, comments and COPY data refuses the
/// dump. The only ones allowed are whole lines at the start of a statement that the rewriter drops before psql
/// sees them (`\restrict`, `\unrestrict`, `\connect`, `\c`: see `PostgresDumpRules.dropsMetaCommandLine`).
///
/// Strings follow `standard_conforming_strings` as the dump sets it with `SET` (pg_dump always sets it `on`);
/// a dump that changes it any other way (set_config, a function) could make this lexer and psql's disagree
/// about where a string ends, which is why the OS sandbox and psql's `\restrict` mode stay in place behind it.
struct PsqlMetaCommandScanner: ClientCommandScanner {
    private enum State: Equatable {
        case normal, lineComment, blockComment(depth: Int), single(escapes: Bool), double, dollar(tag: [UInt8]), copyData
    }

    private var state = State.normal
    private var line = 1
    private var column = 0
    /// Nothing but whitespace and comments since the last `;`.
    private var statementEmpty = true
    /// The first bytes of the statement (identifiers, keywords and literal text), lowercased, for COPY and SET.
    private var statementHead: [UInt8] = []
    private var previous: UInt8 = 0x0A
    private var standardStrings = true
    /// A `$` seen in normal state, collecting a possible dollar-quote tag.
    private var dollarTag: [UInt8]?
    /// In a string, the previous byte was an escaping backslash (E'' strings, or standard_conforming_strings off).
    private var escaped = false
    /// The dollar-quoted body's candidate closing tag.
    private var closing: [UInt8]?
    private var pendingStar = false
    private var pendingSlash = false
    private var pendingDash = false
    /// Collecting a meta-command word after a backslash.
    private var command: (word: [UInt8], allowedIfWhole: Bool)?
    /// The rest of the line is an allowed, dropped meta-command line.
    private var skippingDroppedLine = false
    private var droppedLineLength = 0
    /// A `COPY … FROM stdin` statement ended on this line: data follows from the next line.
    private var copyStartsNextLine = false
    private var copyLinePrefix: [UInt8] = []
    private var copyLineLength = 0
    /// Identifier characters right before the current byte (an `E'` string needs a lone E).
    private var identifierRun = 0
    /// The last bytes of the statement in any state but comments, to notice `standard_conforming_strings`
    /// wherever it is named (a `set_config` call names it in a string).
    private var window: [UInt8] = []
    private var mentionsStandardStrings = false
    private static let standardStringsName = Array("standard_conforming_strings".utf8)

    static let droppedCommands: Set<String> = ["restrict", "unrestrict", "connect", "c", "encoding"]
    /// The allowed lines whose arguments are read (the rewriter follows them): kept whole until the line ends.
    private static let checkedCommands: Set<String> = ["connect", "c", "encoding"]
    private var checkedLine: [UInt8]?

    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard let base = bytes.baseAddress else { return nil }
        var index = 0
        while index < bytes.count {
            if state == .copyData, copyLineLength >= 3, command == nil, !skippingDroppedLine {
                // Past a data line's first three bytes only its end matters (is the next line `\.`?): COPY data is
                // most of a dump's bytes, and stepping through them one by one made the scan the restore's bottleneck.
                guard let hit = memchr(base + index, Int32(ScannerBytes.newline), bytes.count - index) else {
                    copyLineLength += bytes.count - index
                    column += bytes.count - index
                    return nil
                }
                let newline = base.distance(to: UnsafeRawPointer(hit))
                copyLineLength += newline - index
                column += newline - index
                index = newline
            }
            if let refusal = step(bytes[index]) { return refusal }
            index += 1
        }
        return nil
    }

    mutating func finish() -> String? {
        if let command { return refuse(command.word) }
        if checkedLine != nil { return checkLine() }
        return nil
    }

    /// `\connect` must name only a database (pg_dumpall's form), `\encoding` only an encoding.
    private mutating func checkLine() -> String? {
        guard let bytes = checkedLine else { return nil }
        checkedLine = nil
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("\\encoding") {
            let argument = text.dropFirst("\\encoding".count).trimmingCharacters(in: .whitespaces)
            guard argument.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                return "line \(line): `\\encoding` with an argument other than an encoding name is refused"
            }
            return nil
        }
        if case .refused(let why) = PsqlConnectLine.parse(text) {
            return "line \(line): `\(text.prefix(80))` is refused: \(why); a restore connects only to its own sandbox databases"
        }
        return nil
    }

    private mutating func refuse(_ word: [UInt8]) -> String {
        "line \(line): the psql meta-command `\\\(ScannerBytes.word(word))` is refused: psql would run it itself "
            + "(meta-commands can start programs); a plain pg_dump holds none outside COPY data"
    }

    private mutating func step(_ byte: UInt8) -> String? {
        defer {
            if byte == ScannerBytes.newline { line += 1; column = 0 } else { column += 1 }
        }
        if skippingDroppedLine {
            droppedLineLength += 1
            if droppedLineLength > DumpRewriter<PostgresDumpRules>.maxLineLength {
                return "line \(line): an over-long psql meta-command line is refused"
            }
            if checkedLine != nil, byte != ScannerBytes.newline { checkedLine?.append(byte) }
            if byte == ScannerBytes.newline {
                skippingDroppedLine = false
                if let refusal = checkLine() { return refusal }
            }
            return nil
        }
        if var pending = command {
            if ScannerBytes.isIdentifier(byte) || byte == 0x21 || byte == 0x3F || byte == 0x2E {
                if pending.word.count < 32 { pending.word.append(byte) }
                command = pending
                return nil
            }
            command = nil
            let name = String(decoding: pending.word, as: UTF8.self)
            guard pending.allowedIfWhole, byte == 0x20, Self.droppedCommands.contains(name) else { return refuse(pending.word) }
            skippingDroppedLine = true
            droppedLineLength = column
            if Self.checkedCommands.contains(name) { checkedLine = [ScannerBytes.backslash] + pending.word + [byte] }
            return nil
        }
        switch state {
        case .copyData:
            if byte == ScannerBytes.newline {
                let isTerminator = copyLinePrefix.starts(with: [0x5C, 0x2E]) && copyLinePrefix.dropFirst(2).allSatisfy { $0 == 0x0D }
                    && copyLineLength <= 3
                if isTerminator { state = .normal; resetStatement() }
                copyLinePrefix = []
                copyLineLength = 0
            } else {
                copyLineLength += 1
                if copyLinePrefix.count < 3 { copyLinePrefix.append(byte) }
            }
            return nil
        case .lineComment:
            if byte == ScannerBytes.newline { state = .normal; return endOfLine() }
            return nil
        case .blockComment(let depth):
            if pendingStar, byte == 0x2F {
                pendingStar = false
                state = depth == 1 ? .normal : .blockComment(depth: depth - 1)
                return nil
            }
            if pendingSlash, byte == 0x2A {
                pendingSlash = false
                state = .blockComment(depth: depth + 1)
                return nil
            }
            pendingStar = byte == 0x2A
            pendingSlash = byte == 0x2F
            return nil
        case .single(let escapes):
            watch(byte)
            if statementHead.count < 256 { statementHead.append(ScannerBytes.lowercased(byte)) }
            if escaped { escaped = false; return nil }
            if escapes, byte == ScannerBytes.backslash { escaped = true; return nil }
            if byte == 0x27 { state = .normal; previous = byte }
            return nil
        case .double:
            watch(byte)
            if byte == 0x22 { state = .normal; previous = byte }
            return nil
        case .dollar(let tag):
            watch(byte)
            if var candidate = closing {
                if byte == 0x24 {
                    if candidate == tag { state = .normal; closing = nil; previous = byte; return nil }
                    closing = []
                    return nil
                }
                if ScannerBytes.isIdentifier(byte), candidate.count < tag.count { candidate.append(byte); closing = candidate; return nil }
                closing = nil
            }
            if byte == 0x24 { closing = [] }
            return nil
        case .normal:
            return normal(byte)
        }
    }

    private mutating func watch(_ byte: UInt8) {
        window.append(ScannerBytes.lowercased(byte))
        if window.count > Self.standardStringsName.count { window.removeFirst() }
        if window == Self.standardStringsName { mentionsStandardStrings = true }
    }

    private mutating func normal(_ byte: UInt8) -> String? {
        watch(byte)
        if copyStartsNextLine, byte != ScannerBytes.newline, !ScannerBytes.isSpace(byte) {
            return "line \(line): more SQL after `COPY … FROM stdin;` on the same line is refused (psql reads COPY data from the next line)"
        }
        defer { identifierRun = ScannerBytes.isIdentifier(byte) ? identifierRun + 1 : 0 }
        if var tag = dollarTag {
            if byte == 0x24 {
                dollarTag = nil
                state = .dollar(tag: tag)
                return nil
            }
            if ScannerBytes.isIdentifier(byte), !(tag.isEmpty && byte >= 0x30 && byte <= 0x39) {
                tag.append(byte)
                dollarTag = tag
                return nil
            }
            dollarTag = nil  // `$1`, or a lone `$`: not a dollar quote
        }
        if pendingDash {
            pendingDash = false
            if byte == 0x2D { state = .lineComment; return nil }
            noteContent(0x2D)
        }
        if pendingSlash {
            pendingSlash = false
            if byte == 0x2A { state = .blockComment(depth: 1); pendingStar = false; return nil }
            noteContent(0x2F)
        }
        switch byte {
        case ScannerBytes.backslash:
            command = ([], column == 0 && statementEmpty)
        case 0x2D:
            pendingDash = true
        case 0x2F:
            pendingSlash = true
        case 0x27:
            let escapeString = (previous == 0x45 || previous == 0x65) && identifierRun == 1
            noteContent(byte)
            state = .single(escapes: escapeString || !standardStrings)
        case 0x22:
            noteContent(byte)
            state = .double
        case 0x24 where !ScannerBytes.isIdentifier(previous):
            noteContent(byte)
            dollarTag = []
        case 0x3B:
            return endOfStatement()
        case ScannerBytes.newline:
            return endOfLine()
        default:
            if !ScannerBytes.isSpace(byte) { noteContent(byte) } else if !statementEmpty, statementHead.count < 256, statementHead.last != 0x20 {
                statementHead.append(0x20)
            }
        }
        previous = byte
        return nil
    }

    private mutating func noteContent(_ byte: UInt8) {
        statementEmpty = false
        if statementHead.count < 256 { statementHead.append(ScannerBytes.lowercased(byte)) }
    }

    private mutating func endOfStatement() -> String? {
        let head = String(decoding: statementHead, as: UTF8.self)
        if head.hasPrefix("copy "), head.hasSuffix(" from stdin") {
            copyStartsNextLine = true
        }
        if mentionsStandardStrings || head.contains("standard_conforming_strings") {
            if let match = head.firstMatch(of: #/^set (?:session |local )?standard_conforming_strings (?:=|to) '?(on|off|true|false)'?$/#) {
                standardStrings = match.output.1 == "on" || match.output.1 == "true"
            } else {
                return "line \(line): the dump changes standard_conforming_strings in a way the verifier cannot follow (only `SET standard_conforming_strings = on|off` is accepted)"
            }
        }
        resetStatement()
        previous = 0x3B
        return nil
    }

    private mutating func endOfLine() -> String? {
        previous = ScannerBytes.newline
        if copyStartsNextLine {
            copyStartsNextLine = false
            state = .copyData
        }
        return nil
    }

    private mutating func resetStatement() {
        statementEmpty = true
        statementHead = []
        mentionsStandardStrings = false
        window = []
    }
}
