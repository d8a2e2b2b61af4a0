import Logging
import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A streaming multipart/form-data parser that hands file bytes on as slices of the incoming buffers.
/// Written here rather than taken from multipart-kit because that parser copies every run of bytes between
/// two CR bytes into a new buffer (every ~256 bytes of binary data), which caps uploads far below disk speed;
/// this one finds the delimiter with `memmem` and copies only the few bytes that may start a delimiter.
struct MultipartStreamParser {
    enum Event {
        case partHeaders([(name: String, value: String)])
        case body(ByteBuffer)
        case partEnd
    }

    enum ParseError: Error, CustomStringConvertible {
        case malformed(String)
        var description: String {
            switch self {
            case .malformed(let why): "malformed multipart body: \(why)"
            }
        }
    }

    private enum State { case preamble, headers, body, afterDelimiter, epilogue }

    private let delimiter: [UInt8]
    private var state = State.preamble
    private var buffer: ByteBuffer
    static let maxHeaderBytes = 16 * 1024

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter has no CRLF in front of it: supply one so that every delimiter looks alike.
        buffer = ByteBuffer(bytes: [13, 10])
    }

    /// True once the closing delimiter was read.
    var isFinished: Bool { state == .epilogue }

    /// Feeds the next chunk and returns what it completed, in order.
    mutating func feed(_ chunk: ByteBuffer) throws -> [Event] {
        if state == .epilogue { return [] }
        buffer.writeImmutableBuffer(chunk)
        var events: [Event] = []
        parsing: while true {
            switch state {
            case .preamble:
                guard let index = find(delimiter) else {
                    keepTail(delimiter.count - 1)
                    break parsing
                }
                buffer.moveReaderIndex(forwardBy: index + delimiter.count)
                state = .afterDelimiter
            case .afterDelimiter:
                guard buffer.readableBytes >= 2, let pair = buffer.getBytes(at: buffer.readerIndex, length: 2) else { break parsing }
                if pair == [45, 45] {  // "--": the closing delimiter
                    state = .epilogue
                    break parsing
                }
                // Transport padding may follow the delimiter before its CRLF.
                guard let lineEnd = find([13, 10]) else { break parsing }
                buffer.moveReaderIndex(forwardBy: lineEnd + 2)
                state = .headers
            case .headers:
                guard let end = find([13, 10, 13, 10]) else {
                    if buffer.readableBytes > Self.maxHeaderBytes { throw ParseError.malformed("part headers too long") }
                    break parsing
                }
                let text = buffer.readString(length: end) ?? ""
                buffer.moveReaderIndex(forwardBy: 4)
                events.append(.partHeaders(try Self.parseHeaders(text)))
                state = .body
            case .body:
                if let index = find(delimiter) {
                    if index > 0, let slice = buffer.readSlice(length: index) { events.append(.body(slice)) }
                    buffer.moveReaderIndex(forwardBy: delimiter.count)
                    events.append(.partEnd)
                    state = .afterDelimiter
                } else {
                    let safe = buffer.readableBytes - (delimiter.count - 1)
                    if safe > 0, let slice = buffer.readSlice(length: safe) { events.append(.body(slice)) }
                    break parsing
                }
            case .epilogue:
                break parsing
            }
        }
        // Slices handed out keep their own storage; start a fresh buffer from what is left.
        var rest = ByteBufferAllocator().buffer(capacity: buffer.readableBytes + 64 * 1024)
        rest.writeImmutableBuffer(buffer)
        buffer = rest
        return events
    }

    /// First index of `needle` in the readable bytes: `memchr` for its first byte, then `memcmp` for the rest.
    private func find(_ needle: [UInt8]) -> Int? {
        buffer.withUnsafeReadableBytes { haystack -> Int? in
            guard haystack.count >= needle.count, let base = haystack.baseAddress else { return nil }
            return needle.withUnsafeBytes { needleBytes -> Int? in
                var offset = 0
                let lastStart = haystack.count - needle.count
                while offset <= lastStart {
                    guard let hit = memchr(base + offset, Int32(needle[0]), lastStart - offset + 1) else { return nil }
                    let index = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + index, needleBytes.baseAddress!, needle.count) == 0 { return index }
                    offset = index + 1
                }
                return nil
            }
        }
    }

    private mutating func keepTail(_ count: Int) {
        let drop = buffer.readableBytes - count
        if drop > 0 { buffer.moveReaderIndex(forwardBy: drop) }
    }

    static func parseHeaders(_ text: String) throws -> [(name: String, value: String)] {
        try text.split(separator: "\r\n", omittingEmptySubsequences: true).map { line in
            guard let colon = line.firstIndex(of: ":") else { throw ParseError.malformed("part header without ':'") }
            return (
                String(line[..<colon]).trimmingCharacters(in: .whitespaces).lowercased(),
                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            )
        }
    }
}
