import NIOCore
import Testing
@testable import FeedServer

@Suite struct MultipartStreamParserTests {
    /// Feeds a body in chunks of the given sizes and collects the file part's bytes and headers.
    private func parse(_ body: ByteBuffer, boundary: String, chunkSizes: [Int]) throws -> (headers: [[String]], files: [[UInt8]]) {
        var parser = MultipartStreamParser(boundary: boundary)
        var body = body
        var headers: [[String]] = [], files: [[UInt8]] = [], current: [UInt8] = []
        var sizes = chunkSizes.makeIterator()
        while body.readableBytes > 0 {
            let size = min(body.readableBytes, sizes.next() ?? 4096)
            for event in try parser.feed(body.readSlice(length: size)!) {
                switch event {
                case .partHeaders(let list): headers.append(list.map { "\($0.name): \($0.value)" })
                case .body(let bytes): current += Array(buffer: bytes)
                case .partEnd: files.append(current); current = []
                }
            }
        }
        #expect(parser.isFinished)
        return (headers, files)
    }

    @Test(arguments: [1, 2, 7, 13, 64, 4096])
    func findsDelimitersSplitAcrossChunks(chunk: Int) throws {
        // Bytes that look like the start of a delimiter inside the file must stay file bytes.
        let content = Array("a\r\nb\r\n--\r\n--bound\r\n--boundar".utf8) + randomBytes(3000)
        let form = MultipartBody(filename: "X.1.0.zip", bytes: content, extraFieldFirst: true)
        let result = try parse(form.data, boundary: form.boundary, chunkSizes: Array(repeating: chunk, count: 100_000))
        #expect(result.files.count == 2)
        #expect(result.files[1] == content)
        #expect(result.headers[1].contains { $0.contains("filename=\"X.1.0.zip\"") })
        #expect(Array(result.files[0]) == Array("nightly".utf8))
    }

    @Test func refusesEndlessPartHeaders() {
        var parser = MultipartStreamParser(boundary: "b")
        #expect(throws: MultipartStreamParser.ParseError.self) {
            _ = try parser.feed(ByteBuffer(string: "--b\r\n" + String(repeating: "x", count: 20_000)))
        }
    }
}
