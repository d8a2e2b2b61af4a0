import Subprocess

extension DumpRewriter {
    /// Bytes handed to a restore client per write: large enough that pipe writes cost little.
    static var clientWriteBatch: Int { 1 << 18 }

    /// Streams `source` through the rules into a restore client's stdin in batches: `preamble` first, the
    /// rewritten dump, then `trailer` (our sentinel statement). Returns what the rules changed.
    /// `scanner` reads the dump's raw bytes first: at a client command it stops the restore with
    /// `EngineError.restoreFailed` naming the line, before that line reaches the client.
    static func pipe(
        _ source: some DumpSource, rules: Rules, scanner: some ClientCommandScanner, preamble: [UInt8] = [], trailer: String,
        into writer: StandardInputWriter
    ) async throws -> (rewrites: [DumpRewrite], notes: [String]) {
        var rewriter = DumpRewriter(rules: rules)
        var scanner = scanner
        var buffer = preamble
        buffer.reserveCapacity(clientWriteBatch * 2)
        try await source.stream { chunk in
            if let refusal = scanner.scan(chunk) { throw EngineError.restoreFailed(refusal) }
            rewriter.feed(chunk, into: &buffer)
            if buffer.count >= clientWriteBatch {
                _ = try await writer.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if let refusal = scanner.finish() { throw EngineError.restoreFailed(refusal) }
        rewriter.finish(into: &buffer)
        buffer.append(contentsOf: Array(trailer.utf8))
        _ = try await writer.write(buffer)
        return (rewriter.rules.rewrites, rewriter.rules.notes)
    }
}
