/// One member of a tar stream, as its headers (including pax and GNU long-name records) describe it.
struct TarEntry: Sendable, Equatable {
    /// Position among the stream's members (0-based), so a later pass can find the same member again.
    var ordinal: Int
    var name: String
    var size: Int64
    var isDirectory: Bool
    /// A regular file (links, devices and the like carry no dump).
    var isFile: Bool
}

/// Receives a tar stream's members in order.
protocol TarEntryHandler: AnyObject {
    func begin(_ entry: TarEntry) async throws
    func data(_ bytes: UnsafeRawBufferPointer) async throws
    func end(_ entry: TarEntry) async throws
}

/// A streaming tar reader (ustar, pax and GNU): bytes are pushed in as they come out of the layer above and each
/// member's content is passed on without being stored.
///
/// Written here rather than taken from libarchive: libarchive pulls its input through read callbacks, while
/// every layer in this verifier is pushed chunk by chunk from the one above it (a zip entry, a decoder). Bridging
/// the two would take a thread per tar layer or buffering the archive; the parts of the format dumps use (regular
/// files, directories, pax `path`/`size`, GNU long names, base-256 sizes) fit in this file.
final class TarReader {
    enum Failure: Error, Equatable {
        case damagedHeader(after: String?)
        case truncatedEntry(name: String, read: Int64, size: Int64)
        case truncatedHeader(after: String?)
        case oversizedRecord(name: String?)
    }

    /// pax and GNU long-name records larger than this are refused (real ones hold a path or two).
    static let maxRecordSize: Int64 = 1 << 20

    private enum State {
        case header
        /// Content of the current member: bytes still due, padding after them.
        case content(remaining: Int64, padding: Int)
        /// A pax or GNU long-name record being collected.
        case record(kind: TarHeader.Kind, remaining: Int64, padding: Int)
        case skip(remaining: Int64)
        case ended
    }

    private var state = State.header
    private var block: [UInt8] = []
    private var record: [UInt8] = []
    private var zeroBlocks = 0
    private var nextName: String?
    private var nextSize: Int64?
    private var current: TarEntry?
    private(set) var lastName: String?
    private(set) var memberCount = 0
    private(set) var fileCount = 0
    /// Two zero blocks ended the archive (tar writes them; a stream cut at a member boundary lacks them).
    var sawEndMarker: Bool { if case .ended = state { true } else { false } }

    /// Unowned: the handler (a `TarSink`) owns this reader.
    unowned let handler: any TarEntryHandler

    init(handler: any TarEntryHandler) {
        self.handler = handler
        block.reserveCapacity(TarHeader.blockSize)
    }

    func feed(_ chunk: UnsafeRawBufferPointer) async throws {
        var offset = 0
        while offset < chunk.count {
            switch state {
            case .ended:
                // Padding to the record size (zeros) or anything after the end marker: tar ignores it too.
                return
            case .header:
                let take = min(TarHeader.blockSize - block.count, chunk.count - offset)
                block.append(contentsOf: chunk[offset..<offset + take])
                offset += take
                if block.count == TarHeader.blockSize {
                    try await header()
                    block.removeAll(keepingCapacity: true)
                }
            case .content(let remaining, let padding):
                let take = Int(min(remaining, Int64(chunk.count - offset)))
                if take > 0 {
                    try await handler.data(UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + take]))
                    offset += take
                }
                if remaining - Int64(take) == 0 {
                    if let entry = current { try await handler.end(entry) }
                    current = nil
                    state = padding > 0 ? .skip(remaining: Int64(padding)) : .header
                } else {
                    state = .content(remaining: remaining - Int64(take), padding: padding)
                }
            case .record(let kind, let remaining, let padding):
                let take = Int(min(remaining, Int64(chunk.count - offset)))
                record.append(contentsOf: chunk[offset..<offset + take])
                offset += take
                if remaining - Int64(take) == 0 {
                    applyRecord(kind)
                    state = padding > 0 ? .skip(remaining: Int64(padding)) : .header
                } else {
                    state = .record(kind: kind, remaining: remaining - Int64(take), padding: padding)
                }
            case .skip(let remaining):
                let take = Int(min(remaining, Int64(chunk.count - offset)))
                offset += take
                state = remaining - Int64(take) == 0 ? .header : .skip(remaining: remaining - Int64(take))
            }
        }
    }

    /// Call after the last chunk: a member or header cut short is a truncated archive.
    func finish() throws {
        switch state {
        case .ended: return
        case .header:
            if !block.isEmpty { throw Failure.truncatedHeader(after: lastName) }
        case .content(let remaining, _):
            let entry = current!
            throw Failure.truncatedEntry(name: entry.name, read: entry.size - remaining, size: entry.size)
        case .record:
            throw Failure.truncatedHeader(after: lastName)
        case .skip:
            // Only the padding after the last member is missing: its content is all there.
            return
        }
    }

    /// What one header block asks for, decided synchronously (the block is only borrowed while parsing).
    private enum HeaderAction {
        case none
        case record(TarHeader.Kind, size: Int64, padding: Int)
        case member(TarEntry, size: Int64, padding: Int)
    }

    private func header() async throws {
        let action = try block.withUnsafeBytes { raw throws -> HeaderAction in
            if TarHeader.isZeroBlock(raw) {
                zeroBlocks += 1
                return .none
            }
            zeroBlocks = 0
            guard TarHeader.checksumMatches(raw), let header = TarHeader(raw) else {
                throw Failure.damagedHeader(after: lastName)
            }
            switch header.kind {
            case .longName, .paxLocal, .paxGlobal:
                guard header.size <= Self.maxRecordSize else { throw Failure.oversizedRecord(name: lastName) }
                return .record(header.kind, size: header.size, padding: Self.padding(header.size))
            case .file, .directory, .other:
                let name = Self.clean(nextName ?? header.name)
                let size = nextSize ?? header.size
                let entry = TarEntry(
                    ordinal: memberCount, name: name, size: size, isDirectory: header.kind == .directory || name.hasSuffix("/"),
                    isFile: header.kind == .file && !name.hasSuffix("/"))
                return .member(entry, size: size, padding: Self.padding(size))
            }
        }
        switch action {
        case .none:
            if zeroBlocks == 2 { state = .ended }
        case .record(let kind, let size, let padding):
            record.removeAll(keepingCapacity: true)
            state = size == 0 ? .header : .record(kind: kind, remaining: size, padding: padding)
        case .member(let entry, let size, let padding):
            nextName = nil
            nextSize = nil
            memberCount += 1
            lastName = entry.name
            if entry.isFile {
                fileCount += 1
                current = entry
                try await handler.begin(entry)
                if size == 0 {
                    try await handler.end(entry)
                    current = nil
                    state = .header
                } else {
                    state = .content(remaining: size, padding: padding)
                }
            } else {
                if entry.isDirectory {
                    try await handler.begin(entry)
                    try await handler.end(entry)
                }
                // Links and devices: nothing of theirs is read; a hard link's size is 0, anything else is skipped.
                state = size > 0 ? .skip(remaining: size + Int64(padding)) : .header
            }
        }
    }

    private static func padding(_ size: Int64) -> Int {
        let block = Int64(TarHeader.blockSize)
        return Int((block - size % block) % block)
    }

    /// A GNU long name is the next member's name; a pax record may set its `path` and `size`.
    private func applyRecord(_ kind: TarHeader.Kind) {
        switch kind {
        case .longName:
            let end = record.firstIndex(of: 0) ?? record.endIndex
            nextName = String(decoding: record[..<end], as: UTF8.self)
        case .paxLocal:
            for (key, value) in Self.paxFields(record) {
                if key == "path" { nextName = value }
                if key == "size", let size = Int64(value) { nextSize = size }
            }
        default:
            break  // global pax records carry defaults dumps do not rely on
        }
        record.removeAll(keepingCapacity: true)
    }

    /// "LEN key=value\n" records.
    static func paxFields(_ bytes: [UInt8]) -> [(String, String)] {
        var fields: [(String, String)] = []
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)), length > 0,
                  index + length <= bytes.count else { break }
            let body = bytes[(space + 1)..<(index + length - 1)]
            if let equals = body.firstIndex(of: UInt8(ascii: "=")) {
                fields.append((String(decoding: body[..<equals], as: UTF8.self), String(decoding: body[(equals + 1)...], as: UTF8.self)))
            }
            index += length
        }
        return fields
    }

    /// `./dump.sql` and `dump.sql` are the same member.
    static func clean(_ name: String) -> String {
        var name = name
        while name.hasPrefix("./") { name.removeFirst(2) }
        return name
    }
}
