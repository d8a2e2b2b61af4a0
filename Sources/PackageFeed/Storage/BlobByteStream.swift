/// A blob's bytes as they are read, chunk by chunk, pulled by the consumer (so a slow reader slows the read
/// instead of filling memory). `length` is the number of bytes the stream will deliver.
public struct BlobByteStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public let length: Int64
    private let start: @Sendable () -> AsyncIterator

    /// Wraps any chunked source; `chunk` turns its elements into bytes.
    public init<Base: AsyncSequence & Sendable>(
        length: Int64, _ base: Base, chunk: @escaping @Sendable (Base.Element) -> [UInt8]
    ) {
        self.length = length
        start = {
            let box = IteratorBox(base.makeAsyncIterator())
            return AsyncIterator { try await box.next().map(chunk) }
        }
    }

    /// A stream made by a closure that returns the next chunk, or nil at the end.
    public init(length: Int64, next: @escaping @Sendable () async throws -> [UInt8]?) {
        self.length = length
        start = { AsyncIterator(next: next) }
    }

    public func makeAsyncIterator() -> AsyncIterator { start() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let next: () async throws -> [UInt8]?
        public mutating func next() async throws -> [UInt8]? { try await next() }
    }

    /// Reads everything (for small blobs and tests).
    public func collect() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in self { bytes += chunk }
        return bytes
    }
}

/// The source's iterator, advanced by one consumer at a time (an iterator is never shared between tasks).
private final class IteratorBox<Base: AsyncIteratorProtocol>: @unchecked Sendable {
    var base: Base
    init(_ base: Base) { self.base = base }
    func next() async throws -> Base.Element? { try await base.next() }
}
