import Foundation

/// The first bytes of a dump, read by streaming the source once and stopping early: an engine decides how to
/// start the server (MariaDB's lower_case_table_names) before the real restore streams the source again.
enum DumpHead {
    private struct Enough: Error {}

    static func read(_ source: some DumpSource, maxBytes: Int = 8192) async throws -> [UInt8] {
        var head: [UInt8] = []
        do {
            try await source.stream { chunk in
                head.append(contentsOf: chunk.prefix(maxBytes - head.count))
                if head.count >= maxBytes { throw Enough() }
            }
        } catch {
            // Stopping early is our own doing; any other error (a damaged archive) is the source's to report,
            // and the full read that follows will surface it.
            guard !head.isEmpty else { throw error }
        }
        return head
    }

    /// The head as text lines (invalid UTF-8 repaired), line endings removed.
    static func lines(_ head: [UInt8]) -> [String] {
        String(decoding: head, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    }
}
