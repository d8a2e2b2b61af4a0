import Foundation

/// Streams the bytes at one route inside a stored file, peeling the route's layers again (the integrity pass
/// already checked them whole): used by the restore, which reads the dump a second time rather than keeping it.
enum LayerRouteReader {
    /// Thrown by a tar step once its member is done: the rest of the archive is not needed.
    struct Done: Error {}

    /// Feeds the stream at `route` into `sink` (and finishes it). A route through a decryption step is read from
    /// the decryption tool's output: the ciphertext above it is read (again) by the tool's feeding task.
    static func read(
        file: URL, route: LayerRoute, budget: LayerBudget, keyring: DecryptionKeyring = .empty, into sink: any ByteSink
    ) async throws {
        if let last = route.lastIndex(where: { if case .decrypt = $0 { true } else { false } }), case .decrypt(let encryption) = route[last] {
            let chain = makeChain(Array(route[(last + 1)...]), prefix: Array(route[...last]), budget: budget, end: sink)
            do {
                _ = try await StreamDecryption.open(
                    encryption, file: file, route: Array(route[..<last]), head: [], keyring: keyring, limits: budget.limits,
                    budget: budget, into: chain)
            } catch is Done {
                return
            }
            return
        }
        var steps = route[...]
        var prefix: LayerRoute = []
        var zipEntry: (index: UInt64, name: String)?
        if case .zipEntry(let index, let name)? = steps.first {
            zipEntry = (index, name)
            prefix.append(steps.removeFirst())
        }
        let chain = makeChain(Array(steps), prefix: prefix, budget: budget, end: sink)
        do {
            if let zipEntry {
                let zip = try ZipArchive(url: file, maxEntries: budget.limits.maxEntries)
                guard let entry = zip.entries.first(where: { $0.index == zipEntry.index }) else {
                    throw ArchiveError.damagedEntry(entry: zipEntry.name, reason: "entry vanished from the archive")
                }
                var unlimited = Int64.max
                try await zip.read(entry, budget: &unlimited, limit: .max) { chunk in
                    try budget.expand(chunk.count, layer: "zip entry \(entry.name)")
                    try await chain.write(chunk)
                }
            } else {
                try await FileChunks.read(file) { chunk in try await chain.write(chunk) }
            }
            try await chain.finish()
        } catch is Done {
            return
        }
    }

    /// The sinks for `steps`, innermost (`end`) last: decoders decode, tar steps pass on one member only.
    static func makeChain(_ steps: LayerRoute, prefix: LayerRoute, budget: LayerBudget, end: any ByteSink) -> any ByteSink {
        var next = end
        for index in steps.indices.reversed() {
            let route = prefix + steps[..<index]
            switch steps[index] {
            case .decode(let compression):
                // The integrity pass made this decoder already; failing now would be a library fault.
                next = (try? DecodingSink(compression, route: route, budget: budget, next: next)) ?? FailingSink(compression)
            case .tarEntry(let ordinal, _):
                let member = next
                next = TarSink(route: route, budget: budget, open: { $0.ordinal == ordinal ? member : nil }, closed: { entry in
                    if entry.ordinal == ordinal { throw Done() }
                })
            case .zipEntry(_, let name):
                next = FailingSink(nestedZip: name)
            case .decrypt:
                // `read` splits a route at its last decryption step; none is left below it.
                next = FailingSink(decryption: ())
            }
        }
        return next
    }
}

/// Stands for a step that cannot be taken (it never could be in the integrity pass either).
private final class FailingSink: ByteSink {
    let reason: String
    init(_ compression: Compression) { reason = "\(compression.rawValue): the decoder could not start" }
    init(nestedZip name: String) { reason = "\(name): a zip inside another layer cannot be read as a stream" }
    init(decryption: Void) { reason = "a decryption step cannot be chained as a stream" }
    func write(_ chunk: UnsafeRawBufferPointer) async throws { throw ArchiveError.unsupported(reason) }
    func finish() async throws { throw ArchiveError.unsupported(reason) }
}
