import Foundation
import NIOCore

/// A multipart/form-data body with one file part, produced as it is sent: the part's headers, the file in chunks
/// read from disk, then the closing boundary. Its length is known up front, so it goes out with Content-Length and
/// the server can refuse an oversized push before reading it.
struct MultipartFileBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let file: URL
    let fileSize: Int64
    /// The part's filename: the feed reads the package ID and version from it.
    let filename: String
    let progress: TransferProgress?
    let boundary = "backupfeed-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()

    static let chunkSize = 256 * 1024

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    var preamble: [UInt8] {
        Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
    }

    var epilogue: [UInt8] { Array("\r\n--\(boundary)--\r\n".utf8) }

    var contentLength: Int64 { Int64(preamble.count) + fileSize + Int64(epilogue.count) }

    func makeAsyncIterator() -> Iterator {
        Iterator(body: self)
    }

    struct Iterator: AsyncIteratorProtocol {
        private enum Stage {
            case preamble, file, epilogue, done
        }

        let body: MultipartFileBody
        private var stage = Stage.preamble
        private var handle: FileHandle?
        private var remaining: Int64

        init(body: MultipartFileBody) {
            self.body = body
            remaining = body.fileSize
        }

        mutating func next() async throws -> ByteBuffer? {
            switch stage {
            case .preamble:
                stage = .file
                return ByteBuffer(bytes: body.preamble)
            case .file:
                if remaining > 0 { return try readChunk() }
                try? handle?.close()
                stage = .epilogue
                return try await next()
            case .epilogue:
                stage = .done
                return ByteBuffer(bytes: body.epilogue)
            case .done:
                return nil
            }
        }

        /// Reads no more than the size announced in Content-Length: a file that grew is cut there (and refused by
        /// the server's checksum check); one that shrank fails here rather than sending a short body.
        private mutating func readChunk() throws -> ByteBuffer {
            if handle == nil {
                handle = try FileHandle(forReadingFrom: body.file)
            }
            let wanted = Int(Swift.min(Int64(MultipartFileBody.chunkSize), remaining))
            guard let data = try handle?.read(upToCount: wanted), !data.isEmpty else {
                throw ClientError("\(body.file.path) became shorter while it was being uploaded")
            }
            remaining -= Int64(data.count)
            body.progress?.advance(by: data.count)
            return ByteBuffer(bytes: data)
        }
    }
}
