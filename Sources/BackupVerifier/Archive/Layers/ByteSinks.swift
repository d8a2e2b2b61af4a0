/// Where one layer's bytes go next. Sinks are chained: a zip entry or the stored file feeds a decoder sink,
/// which feeds a tar sink, which feeds one sink per member, and so on, so nothing is held but fixed buffers.
protocol ByteSink: AnyObject {
    func write(_ chunk: UnsafeRawBufferPointer) async throws
    /// Called once after the last chunk: a layer checks here that its stream was whole.
    func finish() async throws
}

/// The place a damage message names: the innermost entry above a layer ("dump.sql.gz: "), or nothing for the
/// stored file itself.
func layerLocation(_ route: LayerRoute) -> String {
    route.innermostEntry.map { "\($0): " } ?? ""
}

/// Decompresses its input into `next`, counting output against the budget and the ratio limit, and turning the
/// decoder's failures into reasons that name the layer.
final class DecodingSink: ByteSink {
    let compression: Compression
    /// The route of the compressed stream (not including this decoding step).
    let route: LayerRoute
    private let decoder: any StreamDecoder
    private let budget: LayerBudget
    private let next: any ByteSink
    private(set) var bytesIn: Int64 = 0
    private(set) var bytesOut: Int64 = 0

    init(_ compression: Compression, route: LayerRoute, budget: LayerBudget, next: any ByteSink) throws {
        self.compression = compression
        self.route = route
        self.budget = budget
        self.next = next
        do {
            decoder = try compression.makeDecoder()
        } catch {
            throw ArchiveError.unsupported("\(layerLocation(route))\(compression.rawValue): \(error)")
        }
    }

    private var layerName: String { layerLocation(route) + compression.rawValue + " stream" }

    func write(_ chunk: UnsafeRawBufferPointer) async throws {
        bytesIn += Int64(chunk.count)
        do {
            try await decoder.decode(chunk, emit)
        } catch {
            throw describe(error)
        }
    }

    func finish() async throws {
        do {
            try await decoder.finish(emit)
        } catch {
            throw describe(error)
        }
        try await next.finish()
    }

    private func emit(_ output: UnsafeRawBufferPointer) async throws {
        bytesOut += Int64(output.count)
        try budget.expand(output.count, layer: layerName)
        try budget.checkRatio(output: bytesOut, input: bytesIn, layer: layerName)
        try budget.checkDeadline()
        try await next.write(output)
    }

    private func describe(_ failure: DecodeFailure) -> any Error {
        let location = layerLocation(route)
        let name = compression.rawValue
        switch failure {
        case .downstream(let error):
            return error
        case .truncated:
            return ArchiveError.damagedLayer("\(location)\(name) stream ends early after \(ByteFormat.string(bytesOut)): truncated")
        case .corrupt(let reason):
            return ArchiveError.damagedLayer(
                "\(location)\(name): \(reason) after \(ByteFormat.string(bytesOut)) of output: the compressed stream is damaged")
        case .trailingData:
            return ArchiveError.damagedLayer(
                "\(location)\(name): data that is not \(name) follows the end of the compressed stream: the file was damaged or appended to")
        case .unsupported(let reason):
            return ArchiveError.unsupported("\(location)\(name): \(reason); recompress the dump with default settings")
        }
    }
}

/// Reads a tar stream and hands each member's content to the sink `open` makes for it (nil: skip the member).
final class TarSink: ByteSink, TarEntryHandler {
    /// The route of the tar stream itself.
    let route: LayerRoute
    private let budget: LayerBudget
    private let open: (TarEntry) throws -> (any ByteSink)?
    private let closed: (TarEntry) throws -> Void
    private var reader: TarReader!
    private var current: (any ByteSink)?

    init(
        route: LayerRoute, budget: LayerBudget, open: @escaping (TarEntry) throws -> (any ByteSink)?,
        closed: @escaping (TarEntry) throws -> Void = { _ in }
    ) {
        self.route = route
        self.budget = budget
        self.open = open
        self.closed = closed
        reader = TarReader(handler: self)
    }

    var memberCount: Int { reader.memberCount }
    var fileCount: Int { reader.fileCount }
    var sawEndMarker: Bool { reader.sawEndMarker }

    func write(_ chunk: UnsafeRawBufferPointer) async throws {
        do {
            try await reader.feed(chunk)
        } catch let failure as TarReader.Failure {
            throw describe(failure)
        }
    }

    func finish() async throws {
        do {
            try reader.finish()
        } catch let failure as TarReader.Failure {
            throw describe(failure)
        }
    }

    func begin(_ entry: TarEntry) async throws {
        try budget.addEntries(1)
        current = try open(entry)
    }

    func data(_ bytes: UnsafeRawBufferPointer) async throws {
        try await current?.write(bytes)
    }

    func end(_ entry: TarEntry) async throws {
        try await current?.finish()
        current = nil
        try closed(entry)
    }

    private func describe(_ failure: TarReader.Failure) -> ArchiveError {
        let location = layerLocation(route)
        switch failure {
        case .damagedHeader(let after):
            return .damagedLayer("\(location)tar: the header \(after.map { "after entry \($0)" } ?? "of the first entry") is damaged (checksum mismatch)")
        case .truncatedEntry(let name, let read, let size):
            return .damagedLayer("\(location)tar: entry \(name) truncated (holds \(read) of its \(size) bytes)")
        case .truncatedHeader(let after):
            return .damagedLayer("\(location)tar: the archive ends inside a header \(after.map { "after entry \($0)" } ?? "before any entry"): truncated")
        case .oversizedRecord(let after):
            return .damagedLayer("\(location)tar: a pax or long-name record \(after.map { "after entry \($0)" } ?? "") is larger than \(ByteFormat.string(TarReader.maxRecordSize))")
        }
    }
}

/// The end of a chain: hands each chunk to a closure.
final class ClosureSink: ByteSink {
    private let consume: (UnsafeRawBufferPointer) async throws -> Void
    init(_ consume: @escaping (UnsafeRawBufferPointer) async throws -> Void) { self.consume = consume }
    func write(_ chunk: UnsafeRawBufferPointer) async throws { try await consume(chunk) }
    func finish() async throws {}
}

/// Writes `bytes` to `sink` through a temporary buffer (an array's own storage cannot be lent across `await`).
func writeBytes(_ bytes: [UInt8], to sink: any ByteSink) async throws {
    guard !bytes.isEmpty else { return }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: bytes)
    try await sink.write(UnsafeRawBufferPointer(buffer))
}
