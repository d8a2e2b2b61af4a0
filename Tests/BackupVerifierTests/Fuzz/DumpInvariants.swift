// Compiled twice: in the test target (FuzzFindingsTests replays what the fuzzer found) and, through a symlink, in
// the libFuzzer package under Fuzz/ together with the verifier's lexer, scanners and rewriters.
#if canImport(BackupVerifier)
@testable import BackupVerifier
#endif

/// Properties of the verifier's byte-level SQL readers that must hold for *any* input, hostile or not:
///
/// - **Chunking does not matter.** The lexer, the client-command scanners and the rewriters see a dump in chunks of
///   whatever size a decoder or the network hands over; fed the same bytes in other pieces, each must reach the
///   same statements, the same refusal and the same output. A difference means some state is lost at a boundary,
///   which is how a command hides from a scanner.
/// - **Rewriting never uncovers a client command.** The scanners read the dump as pushed; the client reads what
///   the rewriter makes of it. When the scanner accepts the dump, it must accept the rewritten bytes too, or a
///   rewrite (a `DEFINER` removed, a statement dropped) has turned data into a command the client would run.
enum DumpInvariants {
    /// Every property, for one input; empty when all hold. `seed` picks the chunk sizes.
    static func violations(of input: UnsafeRawBufferPointer) -> [String] {
        let bytes = Array(input)
        let chunks = ChunkPlan(for: bytes)
        var found: [String] = []
        for dialect in [StatementLexer.Dialect.mysql, .postgres, .sqlite] {
            let whole = LexerTrace(bytes, dialect: dialect, chunks: [bytes.count])
            let pieces = LexerTrace(bytes, dialect: dialect, chunks: chunks.sizes)
            if whole != pieces { found.append("lexer (\(dialect)) differs when fed in chunks \(chunks.sizes.prefix(8)): \(whole) vs \(pieces)") }
        }

        let mysqlScan = scan(MySQLClientCommandScanner(), bytes, chunks: [bytes.count])
        let mysqlScanChunked = scan(MySQLClientCommandScanner(), bytes, chunks: chunks.sizes)
        if mysqlScan != mysqlScanChunked { found.append("MySQL scanner differs in chunks: \(String(describing: mysqlScan)) vs \(String(describing: mysqlScanChunked))") }
        let psqlScan = scan(PsqlMetaCommandScanner(), bytes, chunks: [bytes.count])
        let psqlScanChunked = scan(PsqlMetaCommandScanner(), bytes, chunks: chunks.sizes)
        if psqlScan != psqlScanChunked { found.append("psql scanner differs in chunks: \(String(describing: psqlScan)) vs \(String(describing: psqlScanChunked))") }

        let mysql = rewrite(bytes, chunks: [bytes.count]) { MySQLDumpRules(knownCollations: mariaDBCollations) }
        let mysqlChunked = rewrite(bytes, chunks: chunks.sizes) { MySQLDumpRules(knownCollations: mariaDBCollations) }
        if mysql != mysqlChunked { found.append("MySQL rewriter output differs in chunks \(chunks.sizes.prefix(8))") }
        let postgres = rewrite(bytes, chunks: [bytes.count], rules: makePostgresRules)
        let postgresChunked = rewrite(bytes, chunks: chunks.sizes, rules: makePostgresRules)
        if postgres != postgresChunked { found.append("PostgreSQL rewriter output differs in chunks \(chunks.sizes.prefix(8))") }

        if mysqlScan == nil, let uncovered = scan(MySQLClientCommandScanner(), mysql.output, chunks: [mysql.output.count]) {
            found.append("the MySQL rewriter uncovered a client command the scanner accepted in the input: \(uncovered)\(context(uncovered, mysql.output))")
        }
        if psqlScan == nil, let uncovered = scan(PsqlMetaCommandScanner(), postgres.output, chunks: [postgres.output.count]) {
            found.append("the PostgreSQL rewriter uncovered a meta-command the scanner accepted in the input: \(uncovered)\(context(uncovered, postgres.output))")
        }
        return found
    }

    /// The rewritten lines up to the one a refusal names ("line N: …"), for the finding's message.
    static func context(_ refusal: String, _ output: [UInt8]) -> String {
        guard refusal.hasPrefix("line "), let number = Int(refusal.dropFirst(5).prefix { $0.isNumber }) else { return "" }
        let lines = output.split(separator: 0x0A, omittingEmptySubsequences: false)
        let shown = lines[max(0, number - 3)..<min(lines.count, number)].map { String(decoding: $0.prefix(200), as: UTF8.self) }
        return "\nrewritten lines \(max(1, number - 2))–\(number):\n" + shown.joined(separator: "\n")
    }

    static let mariaDBCollations: Set<String> = [
        "utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_unicode_520_ci", "utf8mb4_bin", "utf8mb3_general_ci",
        "utf8mb4_uca1400_ai_ci", "latin1_swedish_ci",
    ]

    static func makePostgresRules() -> PostgresDumpRules {
        PostgresDumpRules(
            knownSettings: ["statement_timeout", "lock_timeout", "client_encoding", "standard_conforming_strings", "search_path", "row_security"],
            serverVersion: "15.18", restrictKey: "fuzzrestrictkey")
    }

    static func scan(_ scanner: some ClientCommandScanner, _ bytes: [UInt8], chunks: [Int]) -> String? {
        var scanner = scanner
        var start = 0
        for size in chunks where start < bytes.count {
            let end = min(bytes.count, start + size)
            if let refusal = bytes[start..<end].withUnsafeBytes({ scanner.scan($0) }) { return refusal }
            start = end
        }
        return scanner.finish()
    }

    struct Rewritten: Equatable {
        var output: [UInt8]
        var rewrites: [DumpRewrite]
        var notes: [String]
    }

    static func rewrite<Rules: DumpLineRules>(_ bytes: [UInt8], chunks: [Int], rules: () -> Rules) -> Rewritten {
        var rewriter = DumpRewriter(rules: rules())
        var output: [UInt8] = []
        var start = 0
        for size in chunks where start < bytes.count {
            let end = min(bytes.count, start + size)
            bytes[start..<end].withUnsafeBytes { rewriter.feed($0, into: &output) }
            start = end
        }
        rewriter.finish(into: &output)
        return Rewritten(output: output, rewrites: rewriter.rules.rewrites, notes: rewriter.rules.notes)
    }
}

/// Chunk sizes that cover an input, chosen from its own bytes (FNV-1a) so that a finding replays exactly.
struct ChunkPlan {
    var sizes: [Int] = []

    init(for bytes: [UInt8]) {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes.prefix(64) { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var covered = 0
        while covered < bytes.count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Mostly tiny pieces (every state must survive a boundary), sometimes a long one.
            let size = (state >> 33) % 8 == 0 ? Int((state >> 40) % 4096) + 1 : Int((state >> 40) % 7) + 1
            sizes.append(size)
            covered += size
        }
        if sizes.isEmpty { sizes = [1] }
    }
}

/// What the lexer reports about an input: each statement end (absolute offset and start line) and its final state.
struct LexerTrace: Equatable, CustomStringConvertible {
    var ends: [Int] = []
    var startLines: [Int] = []
    var line = 0
    var unfinishedAt: Int?
    var betweenStatements = false

    init(_ bytes: [UInt8], dialect: StatementLexer.Dialect, chunks: [Int]) {
        var lexer = StatementLexer(dialect: dialect)
        var start = 0
        var ends: [Int] = []
        var startLines: [Int] = []
        for size in chunks where start < bytes.count {
            let end = min(bytes.count, start + size)
            let offset = start
            bytes[start..<end].withUnsafeBytes { piece in
                lexer.feed(piece) { end, startLine in
                    ends.append(offset + end)
                    startLines.append(startLine)
                }
            }
            start = end
        }
        self.ends = ends
        self.startLines = startLines
        line = lexer.line
        unfinishedAt = lexer.unfinishedAt
        betweenStatements = lexer.isBetweenStatements
    }

    var description: String {
        "\(ends.count) statements (last ends \(ends.suffix(3)), lines \(startLines.suffix(3))), line \(line), unfinished at \(String(describing: unfinishedAt)), between: \(betweenStatements)"
    }
}
