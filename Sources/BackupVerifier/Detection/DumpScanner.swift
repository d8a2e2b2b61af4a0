import Foundation

/// Everything the completeness check needs, gathered in one pass over the dump's bytes: the head (for format
/// detection), the tail (for end markers), the line count and where the last statement stands.
struct DumpScanner {
    private(set) var head: [UInt8] = []
    private(set) var tail: [UInt8] = []
    private(set) var byteCount: Int64 = 0
    private(set) var format: DumpFormat?
    private(set) var evidence = ""
    private(set) var lexer: StatementLexer?
    private let assumed: DumpFormat?
    private var detected = false

    static let tailSize = 8 * 1024

    /// `assumed` is the format to use when the content matches none (an explicitly chosen engine's dialect).
    init(assumed: DumpFormat? = nil) { self.assumed = assumed }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        byteCount += Int64(bytes.count)
        if !detected {
            let room = FormatDetector.headSize - head.count
            head.append(contentsOf: bytes.prefix(room))
            if head.count >= FormatDetector.headSize {
                detect()
                head.withUnsafeBytes { lexer?.feed($0) }
                if bytes.count > room { feedRest(UnsafeRawBufferPointer(rebasing: bytes[room...])) }
            }
        } else {
            feedRest(bytes)
        }
        tail.append(contentsOf: bytes.suffix(Self.tailSize))
        if tail.count > 2 * Self.tailSize { tail.removeFirst(tail.count - Self.tailSize) }
    }

    private mutating func feedRest(_ bytes: UnsafeRawBufferPointer) {
        lexer?.feed(bytes)
    }

    /// Call once after the last chunk (a dump shorter than the head size is detected here).
    mutating func finish() {
        if !detected {
            detect()
            head.withUnsafeBytes { lexer?.feed($0) }
        }
    }

    private mutating func detect() {
        detected = true
        let result = FormatDetector.detect(head: head)
        format = result.format
        evidence = result.evidence
        if format == nil, let assumed, NotABackup.identify(head: head) == nil {
            format = assumed
            evidence = "no known header (\(result.evidence)); read as \(assumed.rawValue) for the chosen engine"
        }
        switch format {
        case .mysqlDump: lexer = StatementLexer(dialect: .mysql)
        case .pgPlain: lexer = StatementLexer(dialect: .postgres)
        case .sqliteDump: lexer = StatementLexer(dialect: .sqlite)
        case .pgCustom, .pgTar, .pgDirectory, .sqliteFile, nil: lexer = nil
        }
    }

    /// The last lines of the dump, without blank ones, newest last.
    func lastLines(_ count: Int) -> [String] {
        let text = String(decoding: tail, as: UTF8.self)
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        return Array(lines.suffix(count))
    }

    /// Whether the head holds the given text (used to tell a dump made without comments from a cut one).
    func headContains(_ text: String) -> Bool {
        String(decoding: head.prefix(4096), as: UTF8.self).contains(text)
    }
}
