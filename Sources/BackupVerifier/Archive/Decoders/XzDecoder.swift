import CLzma

/// xz through liblzma's stream decoder, with concatenated streams (`xz` on several files, `pixz`) and their
/// padding; each block's check (CRC-64 by default) is verified by the library.
final class XzDecoder: StreamDecoder {
    private var stream = lzma_stream()
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: decoderChunkSize, alignment: 16)
    /// Dictionaries past this are refused rather than allocated (xz -9 uses 64 MiB).
    static let memoryLimit: UInt64 = 1 << 30
    /// LZMA_CONCATENATED (a function-like macro Swift does not import).
    private static let concatenated: UInt32 = 0x08

    init() throws(DecodeFailure) {
        let code = lzma_stream_decoder(&stream, Self.memoryLimit, Self.concatenated)
        guard code == LZMA_OK else { throw .unsupported("liblzma could not start (code \(code.rawValue))") }
    }

    deinit {
        lzma_end(&stream)
        output.deallocate()
    }

    func decode(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        stream.next_in = base.assumingMemoryBound(to: UInt8.self)
        stream.avail_in = input.count
        try await run(LZMA_RUN, emit)
    }

    func finish(_ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        stream.next_in = nil
        stream.avail_in = 0
        try await run(LZMA_FINISH, emit)
    }

    private func run(_ action: lzma_action, _ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        while true {
            stream.next_out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = output.count
            let code = lzma_code(&stream, action)
            try await forward(emit, output, output.count - stream.avail_out)
            switch code {
            case LZMA_OK:
                if stream.avail_in == 0 && stream.avail_out > 0 && action == LZMA_RUN { return }
            case LZMA_STREAM_END:
                return
            case LZMA_BUF_ERROR:
                // No progress possible: at LZMA_FINISH that means the input ended inside a stream.
                if action == LZMA_FINISH { throw .truncated }
                return
            case LZMA_MEMLIMIT_ERROR:
                throw .unsupported("needs more than \(Self.memoryLimit >> 20) MiB of memory to decode")
            case LZMA_FORMAT_ERROR: throw .corrupt("not in the xz format")
            case LZMA_OPTIONS_ERROR: throw .unsupported("uses options liblzma does not support")
            case LZMA_DATA_ERROR: throw .corrupt("corrupt data (a block or its check does not match)")
            default: throw .corrupt("liblzma error \(code.rawValue)")
            }
        }
    }
}
