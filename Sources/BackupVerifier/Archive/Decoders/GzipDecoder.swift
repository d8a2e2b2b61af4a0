import CZlib

/// gzip through zlib's inflate (with the gzip wrapper, so each member's CRC-32 and length are checked).
/// Concatenated members (`cat a.gz b.gz`, pigz) are decoded in turn; zero padding after the last is ignored.
final class GzipDecoder: StreamDecoder {
    private var stream = z_stream()
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: decoderChunkSize, alignment: 16)
    private var state = MemberState.inMember

    init() throws(DecodeFailure) {
        // 15 + 16: the largest window, and a gzip header and trailer (not zlib's).
        let code = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else { throw .unsupported("zlib could not start (code \(code))") }
    }

    deinit {
        inflateEnd(&stream)
        output.deallocate()
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
                guard state == .between, byte == 0x1F else { throw .trailingData }
                inflateReset(&stream)
                state = .inMember
            case .inMember:
                break
            }
            stream.next_in = UnsafeMutablePointer(mutating: base.advanced(by: offset).assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count - offset)
            // Inflate until this chunk is used up and the output buffer is no longer filled to the brim.
            while true {
                stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(output.count)
                let code = inflate(&stream, Z_NO_FLUSH)
                let produced = output.count - Int(stream.avail_out)
                try await forward(emit, output, produced)
                if code == Z_STREAM_END {
                    state = .between
                    break
                }
                if code == Z_BUF_ERROR { break }  // no progress possible: more input needed
                guard code == Z_OK else { throw .corrupt(message(code)) }
                if stream.avail_in == 0 && stream.avail_out > 0 { break }
            }
            offset = input.count - Int(stream.avail_in)
        }
    }

    func finish(_ emit: (UnsafeRawBufferPointer) async throws -> Void) async throws(DecodeFailure) {
        if state == .inMember { throw .truncated }
    }

    private func message(_ code: Int32) -> String {
        let text = stream.msg.map { String(cString: $0) } ?? "zlib error \(code)"
        return text == "incorrect data check" ? "CRC mismatch (incorrect data check)" : text
    }
}
