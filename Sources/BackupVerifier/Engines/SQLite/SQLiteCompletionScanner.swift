/// SQLite's own `sqlite3_complete` state machine, fed byte by byte across chunk boundaries: it says where a
/// statement ends (a `;` that is not inside a string, comment, bracket or the body of a `CREATE TRIGGER`)
/// in one pass over the dump. Asking `sqlite3_complete` again over the growing text of a statement (what the
/// restore did before) is quadratic: a trigger with many inner statements kept SQLite busy for minutes.
///
/// Tokens and transitions follow SQLite's complete.c exactly, so a statement ends where the `sqlite3` shell
/// would end it.
struct SQLiteCompletionScanner {
    /// complete.c's token classes, in its column order.
    private enum Token: Int { case semi = 0, whitespace, other, explain, create, temp, trigger, end }

    /// complete.c's `trans` table: states 0 INVALID, 1 START, 2 NORMAL, 3 EXPLAIN, 4 CREATE, 5 TRIGGER, 6 SEMI, 7 END.
    private static let transitions: [[UInt8]] = [
        [1, 0, 2, 3, 4, 2, 2, 2],
        [1, 1, 2, 3, 4, 2, 2, 2],
        [1, 2, 2, 2, 2, 2, 2, 2],
        [1, 3, 3, 2, 4, 2, 2, 2],
        [1, 4, 2, 2, 2, 4, 5, 2],
        [6, 5, 5, 5, 5, 5, 5, 5],
        [6, 6, 5, 5, 5, 5, 5, 7],
        [1, 7, 5, 5, 5, 5, 5, 5],
    ]

    /// Where the scanner is inside a token that may continue in the next chunk.
    private enum Lexical: Equatable {
        case between
        case slash, dash
        case blockComment(sawStar: Bool)
        case lineComment
        case quoted(close: UInt8)
        case word
    }

    private var state: UInt8 = 0
    private var lexical = Lexical.between
    /// The first bytes of the identifier being read (lowercased; enough to tell the keywords apart) and its length.
    private var word: [UInt8] = []
    private var wordLength = 0
    private(set) var line = 1
    /// Line of the first token of the statement not yet ended; nil when only blanks and comments follow the last end.
    private(set) var statementLine: Int?
    /// Line where the open comment, string or bracket began.
    private var openedAt = 1
    private var tokenLine = 1

    /// How the text ended, once `finish()` is called.
    enum Ending: Equatable {
        /// Between statements (blank space and comments may follow the last one).
        case clean
        /// Inside a statement, string or comment that began on `line`.
        case unfinished(line: Int)
    }

    /// Scans one chunk; `onEnd` gets, for each statement ended in it, the offset just past its `;` and the line
    /// its first token is on.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, onEnd: (_ end: Int, _ startLine: Int) -> Void) {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            switch lexical {
            case .between:
                if let ended = start(b) { onEnd(i + 1, ended) }
                if b == 0x0A { line += 1 }
                i += 1
            case .word:
                if Self.isIdentifier(b) {
                    if word.count < 9 { word.append(b | 0x20) }
                    wordLength += 1
                    i += 1
                } else {
                    emit(keyword(), at: tokenLine)
                    lexical = .between
                    // The byte that ended the word is scanned again as the start of the next token.
                }
            case .slash:
                if b == UInt8(ascii: "*") {
                    lexical = .blockComment(sawStar: false)
                    openedAt = tokenLine
                    i += 1
                } else {
                    emit(.other, at: tokenLine)
                    lexical = .between
                }
            case .dash:
                if b == UInt8(ascii: "-") {
                    lexical = .lineComment
                    i += 1
                } else {
                    emit(.other, at: tokenLine)
                    lexical = .between
                }
            case .blockComment(let sawStar):
                if sawStar, b == UInt8(ascii: "/") {
                    lexical = .between
                    emit(.whitespace, at: tokenLine)
                } else {
                    lexical = .blockComment(sawStar: b == UInt8(ascii: "*"))
                }
                if b == 0x0A { line += 1 }
                i += 1
            case .lineComment:
                while i < n, bytes[i] != 0x0A { i += 1 }
                if i < n {
                    line += 1
                    i += 1
                    lexical = .between
                    emit(.whitespace, at: tokenLine)
                }
            case .quoted(let close):
                while i < n, bytes[i] != close {
                    if bytes[i] == 0x0A { line += 1 }
                    i += 1
                }
                if i < n {
                    i += 1
                    lexical = .between
                    emit(.other, at: tokenLine)
                }
            }
        }
    }

    /// Call after the last chunk: says whether the text ended between statements.
    mutating func finish() -> Ending {
        switch lexical {
        case .between, .lineComment: break
        case .word: emit(keyword(), at: tokenLine)
        case .slash, .dash: emit(.other, at: tokenLine)
        case .blockComment, .quoted: return .unfinished(line: statementLine ?? openedAt)
        }
        lexical = .between
        if let statementLine { return .unfinished(line: statementLine) }
        return .clean
    }

    /// Starts a token at byte `b`; returns the statement's start line when `b` is the `;` that ends it.
    private mutating func start(_ b: UInt8) -> Int? {
        tokenLine = line
        switch b {
        case UInt8(ascii: ";"):
            let startLine = statementLine ?? line
            emit(.semi, at: line)
            if state == 1 {
                state = 0
                statementLine = nil
                return startLine
            }
        case 0x20, 0x0D, 0x09, 0x0A, 0x0C:
            emit(.whitespace, at: line)
        case UInt8(ascii: "/"):
            lexical = .slash
        case UInt8(ascii: "-"):
            lexical = .dash
        case UInt8(ascii: "["):
            open(.quoted(close: UInt8(ascii: "]")))
        case UInt8(ascii: "`"), UInt8(ascii: "\""), UInt8(ascii: "'"):
            open(.quoted(close: b))
        default:
            if Self.isIdentifier(b) {
                lexical = .word
                word = [b | 0x20]
                wordLength = 1
            } else {
                emit(.other, at: line)
            }
        }
        return nil
    }

    private mutating func open(_ kind: Lexical) {
        lexical = kind
        openedAt = line
        // A string or bracket is a token of the statement; a comment is not (it only becomes one at its end).
        if statementLine == nil { statementLine = line }
    }

    private mutating func emit(_ token: Token, at tokenLine: Int) {
        if token != .whitespace, statementLine == nil { statementLine = tokenLine }
        state = Self.transitions[Int(state)][token.rawValue]
    }

    /// complete.c's keyword test: only these words change the state.
    private func keyword() -> Token {
        switch wordLength {
        case 3 where word == Self.end: .end
        case 4 where word == Self.temp: .temp
        case 6 where word == Self.create: .create
        case 7 where word == Self.trigger: .trigger
        case 7 where word == Self.explain: .explain
        case 9 where word == Self.temporary: .temp
        default: .other
        }
    }

    private static let end = Array("end".utf8), temp = Array("temp".utf8), create = Array("create".utf8)
    private static let trigger = Array("trigger".utf8), explain = Array("explain".utf8), temporary = Array("temporary".utf8)

    /// complete.c's IdChar: letters, digits, `_`, `$` and every byte of a multi-byte UTF-8 character.
    private static func isIdentifier(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x24 || b >= 0x80
    }
}
