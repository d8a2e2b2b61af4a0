// Compiled twice, like DumpInvariants: in the test target and in the libFuzzer package under Fuzz/.
import Foundation
import Synchronization

#if canImport(BackupVerifier)
@testable import BackupVerifier
#endif

/// The parsers that read a pushed file's first bytes in the server's own process (format detection, the dump
/// tool and version in headers and pg_dump archive headers, "not a backup" recognition) and the tar reader, which
/// walks a hostile archive in the server too. For any bytes they must return, never trap (a trap is the server's
/// crash), and the tar reader must find the same members whatever the chunking.
enum ArchiveHeaderInvariants {
    /// The header parsers: each must return for any bytes.
    static func violations(of bytes: [UInt8]) -> [String] {
        let head = Array(bytes.prefix(64 * 1024))
        let detected = FormatDetector.detect(head: head)
        let formats: [DumpFormat?] = [nil, detected.format, .mysqlDump, .pgPlain, .pgCustom, .pgTar, .pgDirectory, .sqliteDump, .sqliteFile]
        for format in formats {
            _ = DumpOrigin.read(head: head, format: format)
        }
        _ = PostgresDumpOrigin.read(head: head)
        _ = NotABackup.identify(head: head)
        _ = TarHeader.looksLikeTar(head)
        return []
    }

    /// The tar reader: the same members, contents and ending whether the stream comes whole or in pieces.
    static func tarViolations(of bytes: [UInt8]) async -> [String] {
        let whole = await TarTrace.read(bytes, chunks: [bytes.count])
        let pieces = await TarTrace.read(bytes, chunks: ChunkPlan(for: bytes).sizes)
        return whole == pieces ? [] : ["the tar reader differs when fed in chunks \(ChunkPlan(for: bytes).sizes.prefix(8)): \(whole) vs \(pieces)"]
    }
}

/// What the tar reader made of a stream: its members with a digest of their content, and how it ended.
struct TarTrace: Equatable, Sendable, CustomStringConvertible {
    var members: [String] = []
    var ending = ""

    static func read(_ bytes: [UInt8], chunks: [Int]) async -> TarTrace {
        let recorder = TarRecorder()
        let reader = TarReader(handler: recorder)
        var ending = "finished"
        do {
            var start = 0
            for size in chunks where start < bytes.count {
                let end = min(bytes.count, start + size)
                let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: end - start, alignment: 1)
                defer { piece.deallocate() }
                piece.copyBytes(from: bytes[start..<end])
                try await reader.feed(UnsafeRawBufferPointer(piece))
                start = end
            }
            try reader.finish()
        } catch {
            ending = "\(error)"
        }
        return TarTrace(members: recorder.members.withLock { $0 }, ending: ending)
    }

    var description: String { "\(members.count) members \(members.suffix(3)), \(ending)" }
}

final class TarRecorder: TarEntryHandler, Sendable {
    let members = Mutex<[String]>([])
    private let current = Mutex<(name: String, bytes: Int, sum: UInt64)?>(nil)

    func begin(_ entry: TarEntry) async throws {
        current.withLock { $0 = (entry.name, 0, 0) }
    }

    func data(_ bytes: UnsafeRawBufferPointer) async throws {
        current.withLock { state in
            guard var value = state else { return }
            value.bytes += bytes.count
            for byte in bytes { value.sum = value.sum &* 31 &+ UInt64(byte) }
            state = value
        }
    }

    func end(_ entry: TarEntry) async throws {
        let finished = current.withLock { state -> String in
            defer { state = nil }
            guard let value = state else { return "\(entry.name) (no begin)" }
            return "\(entry.ordinal):\(entry.name):\(entry.size):\(entry.isFile):\(value.bytes):\(value.sum)"
        }
        members.withLock { $0.append(finished) }
    }
}
