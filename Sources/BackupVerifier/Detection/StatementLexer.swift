import Foundation

/// Follows a SQL text dump byte by byte, across chunk boundaries, just far enough to know whether the text seen
/// so far ends between statements, and where the unfinished statement began. Quotes, comments, dollar quotes,
/// mysqldump `DELIMITER` and psql `COPY … FROM stdin` data blocks are understood; nothing is buffered but a
/// few bytes of the current line, so memory stays flat.
struct StatementLexer {
    enum Dialect { case mysql, postgres, sqlite }

    private enum State: Equatable {
        case normal, lineComment, blockComment, single, double, backtick, bracket
        case dollarOpen([UInt8]), dollarQuoted([UInt8]), copyData
        /// MySQL: `/*` seen, and the next bytes tell a comment from `/*!` or `/*M!` (SQL to the client and server).
        case commentOpen([UInt8])
    }

    let dialect: Dialect
    private(set) var line = 1
    /// Line where the statement not yet terminated started; nil between statements.
    private(set) var pendingSince: Int?
    /// Line where the comment still open began.
    private(set) var commentSince: Int?
    private var state = State.normal
    private var escaped = false
    private var quoteEscapes = false
    /// Open block comments (more than one only in PostgreSQL, where `/* /* */ */` is one comment).
    private var commentDepth = 0
    private var delimiter: [UInt8] = [UInt8(ascii: ";")]
    private var recent: [UInt8] = []
    /// The first bytes of the current line and of the pending statement (for DELIMITER, `\` meta-commands, COPY).
    private var linePrefix: [UInt8] = []
    private var lineStartedClean = true
    private var statementPrefix: [UInt8] = []

    init(dialect: Dialect) { self.dialect = dialect }

    /// Where the text stopped: inside a statement, a quoted string or a comment (line), or cleanly (nil).
    var unfinishedAt: Int? {
        if let pendingSince { return pendingSince }
        if state == .blockComment { return commentSince }
        return nil
    }

    /// Between statements (not in one, nor in a string, comment or COPY data): a line starting here starts a
    /// statement or a psql meta-command, which is what the rewriter may act on.
    var isBetweenStatements: Bool { state == .normal && pendingSince == nil }

    /// Statements terminated so far (the SQLite engine uses it to know when to ask sqlite3_complete).
    private(set) var statementsEnded = 0

    /// Feeds a chunk. `onStatementEnd` gets, for each statement terminated in it, the offset just past the
    /// terminator and the line the statement started on.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, onStatementEnd: ((_ end: Int, _ startLine: Int) -> Void)? = nil) {
        let n = bytes.count
        var i = 0
        while i < n {
            i = skipUninteresting(bytes, from: i)
            guard i < n else { return }
            let ended = statementsEnded
            let startLine = pendingSince ?? line
            step(bytes[i])
            i += 1
            if statementsEnded != ended { onStatementEnd?(i, startLine) }
        }
    }

    /// Fast paths: inside strings, comments and COPY data, and in runs of identifier-like text, most bytes
    /// cannot change anything; skip them without the per-byte bookkeeping. Returns the next byte to step.
    private mutating func skipUninteresting(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        let n = bytes.count
        var i = start
        switch state {
        case .single, .double:
            if escaped { return i }
            let close: UInt8 = state == .single ? 0x27 : 0x22
            let escapes = state == .single ? quoteEscapes : dialect == .mysql
            while i < n {
                let b = bytes[i]
                if b == close || b == 0x0A || (escapes && b == 0x5C) { break }
                i += 1
            }
        case .lineComment:
            while i < n, bytes[i] != 0x0A { i += 1 }
        case .copyData:
            // Only the first bytes of a line matter (is it `\.`?).
            if linePrefix.count < 3 { return i }
            while i < n, bytes[i] != 0x0A { i += 1 }
        case .blockComment:
            while i < n, bytes[i] != 0x2A, bytes[i] != 0x2F, bytes[i] != 0x0A { i += 1 }
            if i > start { remember(bytes[i - 1]) }
        case .normal:
            // Identifier-like runs only matter for the start of a statement and its first bytes (COPY detection).
            guard pendingSince != nil, statementPrefix.count >= 16, !Self.boring[Int(delimiter.last!)] else { return i }
            while i < n, Self.boring[Int(bytes[i])] { i += 1 }
            // The last bytes stay exact (COPY's `FROM stdin` is read from them when the statement ends).
            for k in max(start, i - 12)..<i { remember(bytes[k]) }
        default:
            break
        }
        return i
    }

    /// Bytes that never start a string, comment, terminator or line-level syntax.
    private static let boring: [Bool] = (0..<256).map { byte in
        let b = UInt8(byte)
        return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b >= 0x80
            || b == 0x5F || b == 0x20 || b == 0x09 || b == 0x2C || b == 0x28 || b == 0x29 || b == 0x2E || b == 0x0D
    }

    mutating func feed(byte: UInt8) { step(byte) }

    private mutating func step(_ b: UInt8) {
        if linePrefix.count < 24 { linePrefix.append(b) }
        if b == 0x0A, state == .lineComment {
            state = .normal
        } else {
            process(b)
        }
        if b == 0x0A { newLine() }
    }

    private mutating func process(_ b: UInt8) {
        switch state {
        case .normal: normal(b); return  // normal() remembers the byte itself (once: COPY reads the exact tail)
        case .lineComment: break
        case .blockComment:
            if recent.last == UInt8(ascii: "*"), b == UInt8(ascii: "/") {
                commentDepth -= 1
                recent.removeAll(keepingCapacity: true)
                if commentDepth <= 0 { state = .normal; commentSince = nil }
                return
            }
            // PostgreSQL's block comments nest (psql and the server agree); MySQL's and SQLite's do not.
            if dialect == .postgres, recent.last == UInt8(ascii: "/"), b == UInt8(ascii: "*") {
                commentDepth += 1
                recent.removeAll(keepingCapacity: true)
                return
            }
        case .single: quoted(b, close: UInt8(ascii: "'"), escapes: quoteEscapes)
        case .double: quoted(b, close: UInt8(ascii: "\""), escapes: dialect == .mysql)
        case .backtick: if b == UInt8(ascii: "`") { state = .normal }
        case .bracket: if b == UInt8(ascii: "]") { state = .normal }
        case .dollarOpen(var tag):
            if b == UInt8(ascii: "$") { state = .dollarQuoted(tag); recent.removeAll(keepingCapacity: true); return }
            if isIdentifier(b) { tag.append(b); state = .dollarOpen(tag); return }
            state = .normal
            normal(b)
            return
        case .dollarQuoted(let tag):
            // The closing `$tag$` is the last tag.count + 2 bytes.
            if b == UInt8(ascii: "$"), recent.count >= tag.count + 1,
               recent.suffix(tag.count + 1).elementsEqual([UInt8(ascii: "$")] + tag) {
                state = .normal
                recent.removeAll(keepingCapacity: true)
                return
            }
        case .copyData: break
        case .commentOpen(let seen):
            commentOpen(seen + [b])
            return
        }
        remember(b)
    }

    private mutating func normal(_ b: UInt8) {
        let previous = recent.last
        remember(b)
        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
            // One space between words, so that `COPY public.t` is told from `COPYright` at the statement's end.
            if pendingSince != nil, statementPrefix.count < 16, statementPrefix.last != 0x20 { statementPrefix.append(0x20) }
            return
        }
        if previous == UInt8(ascii: "-"), b == UInt8(ascii: "-") {
            // `--` starts a comment; the first `-` was counted as statement text, undo that when it began one.
            if statementPrefix == [UInt8(ascii: "-")] { pendingSince = nil; statementPrefix.removeAll(keepingCapacity: true) }
            state = .lineComment
            return
        }
        if previous == UInt8(ascii: "/"), b == UInt8(ascii: "*") {
            if dialect == .mysql {
                state = .commentOpen([])
                return
            }
            openBlockComment()
            return
        }
        if b == delimiter.last!, recent.count >= delimiter.count, recent.suffix(delimiter.count).elementsEqual(delimiter) {
            endStatement()
            return
        }
        if dialect == .postgres, b == 0x5C, pendingSince == nil, lineStartedClean,
           linePrefix.dropLast().allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            // A psql meta-command line (`\connect "db"`): its arguments end with the line, whatever quotes hold.
            state = .lineComment
            return
        }
        if pendingSince == nil { pendingSince = line }
        if statementPrefix.count < 16 { statementPrefix.append(b) }
        switch b {
        case UInt8(ascii: "'"):
            state = .single
            // MySQL strings always take backslash escapes; PostgreSQL's only as E'…' strings.
            quoteEscapes = dialect == .mysql || (dialect == .postgres && (previous == UInt8(ascii: "E") || previous == UInt8(ascii: "e")))
        case UInt8(ascii: "\""): state = .double
        case UInt8(ascii: "`") where dialect != .postgres: state = .backtick
        case UInt8(ascii: "[") where dialect == .sqlite: state = .bracket
        case UInt8(ascii: "$") where dialect == .postgres && !(previous.map(isIdentifier) ?? false): state = .dollarOpen([])
        default: break
        }
    }

    private mutating func openBlockComment() {
        if statementPrefix == [UInt8(ascii: "/")] { pendingSince = nil; statementPrefix.removeAll(keepingCapacity: true) }
        state = .blockComment
        commentDepth = 1
        commentSince = line
        recent.removeAll(keepingCapacity: true)
    }

    /// After MySQL's `/*`: `/*!…*/` and `/*M!…*/` hold SQL that the client reads as such (strings, delimiters) and
    /// the server runs, so they are followed as SQL; anything else is a comment, which the bytes seen so far are in.
    private mutating func commentOpen(_ seen: [UInt8]) {
        if seen == [UInt8(ascii: "M")] { state = .commentOpen(seen); return }
        if seen == [UInt8(ascii: "!")] || seen == [UInt8(ascii: "M"), UInt8(ascii: "!")] {
            state = .normal
            for byte in seen { normal(byte) }
            return
        }
        openBlockComment()
        for byte in seen { process(byte) }
    }

    private mutating func quoted(_ b: UInt8, close: UInt8, escapes: Bool) {
        if escaped { escaped = false; return }
        if escapes, b == UInt8(ascii: "\\") { escaped = true; return }
        if b == close { state = .normal }
    }

    private mutating func endStatement() {
        let isCopy = dialect == .postgres && String(decoding: statementPrefix, as: UTF8.self).uppercased().hasPrefix("COPY ")
            && Self.endsWithFromStdin(recent)
        pendingSince = isCopy ? pendingSince : nil
        statementsEnded += 1
        statementPrefix.removeAll(keepingCapacity: true)
        recent.removeAll(keepingCapacity: true)
        if isCopy { state = .copyData }
    }

    /// Line-level syntax: mysql `DELIMITER x`, psql `\meta` lines, the `\.` that ends COPY data. Text is only
    /// built for the rare candidate lines: this runs once per line of a dump of any size.
    private mutating func newLine() {
        if state == .copyData {
            // A COPY's data starts on the line after the statement, so the statement's own line is skipped here.
            if linePrefix.count >= 2, linePrefix[0] == 0x5C, linePrefix[1] == 0x2E,
               linePrefix.dropFirst(2).allSatisfy({ $0 == 0x0A || $0 == 0x0D || $0 == 0x20 }) {
                state = .normal
                pendingSince = nil
                statementPrefix.removeAll(keepingCapacity: true)
            }
        } else if lineStartedClean, state == .normal, let first = linePrefix.first(where: { $0 != 0x20 && $0 != 0x09 }) {
            if dialect == .mysql, first == UInt8(ascii: "D") || first == UInt8(ascii: "d") {
                let text = String(decoding: linePrefix, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if text.uppercased().hasPrefix("DELIMITER ") {
                    delimiter = Array(text.dropFirst("DELIMITER ".count).trimmingCharacters(in: .whitespaces).utf8)
                    if delimiter.isEmpty { delimiter = [UInt8(ascii: ";")] }
                    pendingSince = nil
                    statementPrefix.removeAll(keepingCapacity: true)
                    recent.removeAll(keepingCapacity: true)
                }
            } else if dialect == .postgres, first == 0x5C {
                pendingSince = nil
                statementPrefix.removeAll(keepingCapacity: true)
            }
        }
        line += 1
        linePrefix.removeAll(keepingCapacity: true)
        lineStartedClean = pendingSince == nil && (state == .normal || state == .copyData)
    }

    /// `… FROM stdin;`: only that form of COPY is followed by data lines (`COPY … TO stdout` is not).
    private static func endsWithFromStdin(_ recent: [UInt8]) -> Bool {
        let text = String(decoding: recent, as: UTF8.self).lowercased()
            .trimmingCharacters(in: CharacterSet(charactersIn: "; \t\r\n"))
        return text.hasSuffix("from stdin") && text.dropLast("from stdin".count).last.map { $0 == " " || $0 == "\t" || $0 == "\n" } == true
    }

    private mutating func remember(_ b: UInt8) {
        recent.append(b)
        if recent.count > 64 { recent.removeFirst(recent.count - 32) }
    }

    private func isIdentifier(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80
    }
}
