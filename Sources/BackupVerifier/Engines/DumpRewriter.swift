import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Rules that look at one dump line at a time and either pass it on, change it, or drop it.
/// Lines are bytes (dumps are not guaranteed to be valid UTF-8); rules convert to text only the few lines
/// they care about, so streaming hundreds of megabytes stays cheap.
protocol DumpLineRules {
    /// Appends the (possibly rewritten) line to `output`. `line` includes its line ending, if any.
    /// `complete` is false for the first megabyte of an over-long line: the rest is passed through unseen.
    mutating func rewrite(_ line: UnsafeRawBufferPointer, complete: Bool, into output: inout [UInt8])
    /// What the rules changed, for the report.
    var rewrites: [DumpRewrite] { get }
    var notes: [String] { get }
    /// True when the rules dropped the first megabyte of an over-long line (a skipped statement): the rest of
    /// that line is then dropped too instead of being passed through.
    var dropsRestOfLine: Bool { get }
    /// Sees the rest of an over-long line after its first megabyte, passed on or dropped (rules that follow the
    /// SQL, as the client will read it, need every byte of the input).
    mutating func passedThrough(_ bytes: UnsafeRawBufferPointer)
}

extension DumpLineRules {
    var dropsRestOfLine: Bool { false }
    mutating func passedThrough(_ bytes: UnsafeRawBufferPointer) {}
}

/// Splits a chunked byte stream into lines for `DumpLineRules`, keeping memory bounded: only a partial line
/// is carried between chunks, and lines longer than `maxLineLength` (huge extended INSERTs) are passed
/// through after their first megabyte has been shown to the rules.
struct DumpRewriter<Rules: DumpLineRules> {
    static var maxLineLength: Int { 1 << 20 }

    private(set) var rules: Rules
    private var pending: [UInt8] = []
    private var passingThrough = false
    private var droppingRest = false
    /// Lines seen, for error messages ("at line N").
    private(set) var lineCount = 0

    init(rules: Rules) { self.rules = rules }

    /// Feeds one chunk; rewritten bytes are appended to `output`.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        while start < chunk.count {
            let rest = chunk.count - start
            let newline = memchr(base + start, 0x0A, rest).map { base.distance(to: UnsafeRawPointer($0)) }
            let end = newline.map { $0 + 1 } ?? chunk.count
            let piece = UnsafeRawBufferPointer(start: base + start, count: end - start)
            if passingThrough {
                if !droppingRest { output.append(contentsOf: piece) }
                rules.passedThrough(piece)
                if newline != nil { passingThrough = false; droppingRest = false; lineCount += 1 }
            } else if newline != nil, pending.isEmpty {
                rules.rewrite(piece, complete: true, into: &output)
                lineCount += 1
            } else {
                pending.append(contentsOf: piece)
                if newline != nil {
                    flushPending(complete: true, into: &output)
                    lineCount += 1
                } else if pending.count > Self.maxLineLength {
                    flushPending(complete: false, into: &output)
                    passingThrough = true
                    droppingRest = rules.dropsRestOfLine
                }
            }
            start = end
        }
    }

    /// Flushes a last line without a line ending.
    mutating func finish(into output: inout [UInt8]) {
        if !pending.isEmpty {
            flushPending(complete: true, into: &output)
            lineCount += 1
        }
    }

    private mutating func flushPending(complete: Bool, into output: inout [UInt8]) {
        pending.withUnsafeBytes { rules.rewrite($0, complete: complete, into: &output) }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Byte helpers shared by the rule sets.
enum DumpBytes {
    /// True when `line` contains `needle` (ASCII).
    static func contains(_ line: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        let length = needle.utf8CodeUnitCount
        guard let base = line.baseAddress, length > 0, line.count >= length else { return false }
        let first = Int32(needle.utf8Start.pointee)
        var offset = 0
        // memchr for the first byte, then compare: glibc's memmem is not exported to Swift without _GNU_SOURCE.
        while offset <= line.count - length, let hit = memchr(base + offset, first, line.count - length + 1 - offset) {
            if memcmp(hit, needle.utf8Start, length) == 0 { return true }
            offset = base.distance(to: UnsafeRawPointer(hit)) + 1
        }
        return false
    }

    /// True when `line` starts with `prefix` (ASCII, case-sensitive).
    static func hasPrefix(_ line: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        guard let base = line.baseAddress, line.count >= prefix.utf8CodeUnitCount else { return false }
        return memcmp(base, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// True for COPY's end-of-data line `\.` (with its line ending), checked on bytes: it is asked of every
    /// data line, and a dump can hold millions.
    static func isCopyTerminator(_ line: UnsafeRawBufferPointer) -> Bool {
        guard line.count >= 2, line[0] == UInt8(ascii: "\\"), line[1] == UInt8(ascii: ".") else { return false }
        return line[2...].allSatisfy { $0 == 0x0A || $0 == 0x0D }
    }

    /// The line without its trailing `\n` / `\r\n`, as text.
    static func text(_ line: UnsafeRawBufferPointer) -> String {
        var count = line.count
        while count > 0, line[count - 1] == 0x0A || line[count - 1] == 0x0D { count -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<count]), as: UTF8.self)
    }

    /// The line's ending bytes (`\n`, `\r\n`, or none), kept when a rule rewrites the line's text.
    static func ending(_ line: UnsafeRawBufferPointer) -> [UInt8] {
        var count = line.count
        while count > 0, line[count - 1] == 0x0A || line[count - 1] == 0x0D { count -= 1 }
        return Array(line[count...])
    }
}

/// Counts rewrites by (from, to), in first-seen order, for the report.
struct RewriteTally {
    private var order: [String] = []
    private var entries: [String: DumpRewrite] = [:]

    mutating func add(from: String, to: String, count: Int = 1) {
        let key = from + "\u{0}" + to
        if entries[key] == nil {
            order.append(key)
            entries[key] = DumpRewrite(from: from, to: to, occurrences: 0)
        }
        entries[key]?.occurrences += count
    }

    var all: [DumpRewrite] { order.compactMap { entries[$0] } }
}
