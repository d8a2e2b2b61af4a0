import CLz4

/// lz4 frames (what the `lz4` tool writes by default) through liblz4's frame API, one frame after another;
/// content and block checksums are checked when the frame has them. The legacy format (`lz4 -l`) is refused
/// as unsupported before this decoder is made.
final class Lz4Decoder: StreamDecoder {
    private var context: OpaquePointer?
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: decoderChunkSize, alignment: 16)
    /// LZ4F_decompress's last hint: 0 once a frame is complete.
    private var pending = 1
    private var sawInput = false

    init() throws(DecodeFailure) {
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, context != nil else {
            throw .unsupported("liblz4 could not allocate a context")
        }
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
        output.deallocate()
    }

    func decode(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        sawInput = true
        var offset = 0
        while true {
            var consumed = input.count - offset
            var produced = output.count
            let hint = LZ4F_decompress(context, output.baseAddress, &produced, base.advanced(by: offset), &consumed, nil)
            if LZ4F_isError(hint) != 0 { throw .corrupt(String(cString: LZ4F_getErrorName(hint))) }
            // A call that moved nothing (flushing after a full buffer) may already see the next frame's start:
            // its hint says nothing about the frame that just ended.
            if consumed > 0 || produced > 0 { pending = hint }
            offset += consumed
            try await forward(emit, output, produced)
            if offset == input.count && produced < output.count { return }
        }
    }

    func finish(_ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        if !sawInput || pending != 0 { throw .truncated }
    }
}
