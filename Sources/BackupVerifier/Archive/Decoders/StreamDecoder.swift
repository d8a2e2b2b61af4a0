/// A streaming decompressor: compressed chunks in, decompressed chunks out through a fixed buffer, so memory
/// stays flat whatever the size of the stream. One instance decodes one stream, start to end.
///
/// Each decoder wraps the reference C library of its format (zlib, libzstd, liblzma, libbz2, liblz4) through a
/// `.systemLibrary` target, like libzip: those libraries are the ones that wrote the files, they check the
/// formats' own checksums, and they are on every Debian system already.
protocol StreamDecoder: AnyObject {
    /// Decodes one chunk, calling `emit` with each piece of output (valid only during the call).
    func decode(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure)
    /// Called after the last chunk: flushes what is left and throws `.truncated` when the stream stopped early.
    func finish(_ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure)
}

/// What went wrong inside a compressed stream, before `DecodingLayer` adds where it happened.
enum DecodeFailure: Error, Equatable {
    /// The stream stopped before its end marker.
    case truncated
    /// The library rejected the data (a checksum or a block did not match).
    case corrupt(String)
    /// Bytes after the last complete stream that start no other stream.
    case trailingData
    /// A valid stream this verifier will not decode (a window beyond the memory limit, a legacy variant).
    case unsupported(String)
    /// Thrown by `emit`: passed through unchanged (a limit, the deadline, a later layer's damage).
    case downstream(any Error)

    static func == (a: DecodeFailure, b: DecodeFailure) -> Bool {
        switch (a, b) {
        case (.truncated, .truncated), (.trailingData, .trailingData): true
        case (.corrupt(let x), .corrupt(let y)), (.unsupported(let x), .unsupported(let y)): x == y
        default: false
        }
    }
}

/// Size of every decoder's output buffer.
let decoderChunkSize = 256 * 1024

/// Calls `emit`, wrapping what it throws so that a decoder's typed throws can carry it.
@inline(__always)
func forward(
    _ emit: (UnsafeRawBufferPointer) async throws -> Void, _ buffer: UnsafeMutableRawBufferPointer, _ count: Int
) async throws(DecodeFailure) {
    guard count > 0 else { return }
    do {
        try await emit(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    } catch {
        throw .downstream(error)
    }
}

/// Where a stream that may be followed by another (gzip and bzip2 allow concatenated members) stands.
enum MemberState {
    /// Inside a member: ending now would be a truncation.
    case inMember
    /// A member just ended; the next byte decides what follows.
    case between
    /// Only zero bytes followed the last member (block padding some tools add): ignored.
    case zeroPadding
}
