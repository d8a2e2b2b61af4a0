import CBzip2

/// bzip2 through libbz2, block CRCs and stream CRC checked by the library. Concatenated streams (pbzip2, `cat`)
/// are decoded in turn; zero padding after the last is ignored.
final class Bzip2Decoder: StreamDecoder {
    private var stream = bz_stream()
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: decoderChunkSize, alignment: 16)
    private var state = MemberState.inMember
    private var started = false

    init() throws(DecodeFailure) {
        try start()
    }

    deinit {
        if started { BZ2_bzDecompressEnd(&stream) }
        output.deallocate()
    }

    private func start() throws(DecodeFailure) {
        if started { BZ2_bzDecompressEnd(&stream) }
        stream = bz_stream()
        let code = BZ2_bzDecompressInit(&stream, 0, 0)
        guard code == BZ_OK else { throw .unsupported("libbz2 could not start (code \(code))") }
        started = true
    }

    func decode(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var offset = 0
        while offset < input.count {
            switch state {
            case .between, .zeroPadding:
                let byte = input[offset]
                if byte == 0 {
                    state = .zeroPadding
                    offset += 1
                    continue
                }
                guard state == .between, byte == UInt8(ascii: "B") else { throw .trailingData }
                try start()
                state = .inMember
            case .inMember:
                break
            }
            stream.next_in = UnsafeMutablePointer(mutating: base.advanced(by: offset).assumingMemoryBound(to: CChar.self))
            stream.avail_in = UInt32(input.count - offset)
            while true {
                stream.next_out = output.baseAddress!.assumingMemoryBound(to: CChar.self)
                stream.avail_out = UInt32(output.count)
                let code = BZ2_bzDecompress(&stream)
                try await forward(emit, output, output.count - Int(stream.avail_out))
                if code == BZ_STREAM_END {
                    state = .between
                    break
                }
                switch code {
                case BZ_OK: break
                case BZ_DATA_ERROR: throw .corrupt("data error (a block CRC does not match)")
                case BZ_DATA_ERROR_MAGIC: throw .corrupt("bad stream header")
                case BZ_MEM_ERROR: throw .unsupported("out of memory")
                default: throw .corrupt("libbz2 error \(code)")
                }
                if stream.avail_in == 0 && stream.avail_out > 0 { break }
            }
            offset = input.count - Int(stream.avail_in)
        }
    }

    func finish(_ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        if state == .inMember { throw .truncated }
    }
}
