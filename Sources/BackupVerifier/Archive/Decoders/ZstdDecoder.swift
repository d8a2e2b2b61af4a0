import CZstd

/// zstd through libzstd's streaming API; frames follow one another (`zstd` on several files, `pzstd`), and
/// skippable frames are skipped by the library. Frames with a content checksum have it checked.
final class ZstdDecoder: StreamDecoder {
    private let context: OpaquePointer
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: decoderChunkSize, alignment: 16)
    /// ZSTD_decompressStream's last answer: 0 means a frame just ended, anything else that one is in progress.
    private var pending: Int = 1
    private var sawInput = false

    init() throws(DecodeFailure) {
        guard let context = ZSTD_createDCtx() else { throw .unsupported("libzstd could not allocate a context") }
        self.context = context
    }

    deinit {
        ZSTD_freeDCtx(context)
        output.deallocate()
    }

    func decode(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        guard input.count > 0 else { return }
        sawInput = true
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var sink = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
            let consumedBefore = source.pos
            let code = ZSTD_decompressStream(context, &sink, &source)
            if ZSTD_isError(code) != 0 {
                let name = String(cString: ZSTD_getErrorName(code))
                if ZSTD_getErrorCode(code) == ZSTD_error_frameParameter_windowTooLarge {
                    throw .unsupported("\(name) (made with --long beyond 128 MiB windows)")
                }
                throw .corrupt(name)
            }
            // As for lz4: only a call that moved data speaks about the current frame.
            if sink.pos > 0 || source.pos > consumedBefore { pending = code }
            try await forward(emit, output, sink.pos)
            if source.pos == source.size && sink.pos < sink.size { return }
        }
    }

    func finish(_ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        if !sawInput || pending != 0 { throw .truncated }
    }
}
