/// Where package bytes live, shaped for object stores (an S3 bucket) as well as a directory: no local paths,
/// streamed writes committed under the content address (`sha256/ab/abcdef…`) once the SHA-256 is known,
/// streamed reads with byte ranges. Every implementation must pass the same conformance suite
/// (Tests/ObjectStorageTests/BlobStoreConformance.swift).
public protocol ObjectBlobStore: Sendable {
    /// Starts a streamed write; nothing of it is visible until `commit`.
    func beginWrite() async throws -> any BlobWriter
    /// Streams a blob, or the inclusive byte range of it (an upper bound past the end reads to the end, as HTTP does).
    /// Throws `BlobStoreError.notFound` or `.invalidRange`.
    func read(sha256: String, range: ClosedRange<Int64>?) async throws -> BlobByteStream
    /// The blob's size in bytes, or nil when it is not stored.
    func size(sha256: String) async throws -> Int64?
    /// Removes a blob; removing one that is not there is not an error.
    func remove(sha256: String) async throws
    /// Every stored blob's SHA-256 (for the sweep of blobs no version uses).
    func allBlobs() async throws -> [String]
    /// Writes that were begun and neither committed nor aborted (their instance died); see `BlobWriter.uploadID`.
    func unfinishedUploads() async throws -> [String]
    /// Throws away what an unfinished write left. Only for writes whose owner is known to be gone.
    func discardUnfinishedUpload(_ uploadID: String) async throws
}

/// One streamed write. Used by one task at a time; must end with `commit()` or `abort()`.
public protocol BlobWriter: Sendable {
    /// Names the write in the store while it is unfinished, so that an instance can record it before it starts
    /// and a sweep can discard it if that instance dies.
    var uploadID: String { get }
    /// Appends bytes (hashed as they pass).
    func write(_ bytes: [UInt8]) async throws
    /// Stores the bytes under their SHA-256 (identical content already stored is kept once), checks what was
    /// stored against the digest, and returns it. On failure nothing of the write remains.
    func commit() async throws -> BlobDigest
    /// Throws the write away; nothing of it remains.
    func abort() async
}

extension ObjectBlobStore {
    public func read(sha256: String) async throws -> BlobByteStream { try await read(sha256: sha256, range: nil) }

    /// The storage key of a blob: `sha256/ab/abcdef…` (the same layout in a directory and in a bucket).
    public static func contentAddress(_ sha256: String) -> String { "sha256/\(sha256.prefix(2))/\(sha256)" }
}

/// Failures a caller handles (a missing blob, a range outside it), unlike `StorageError`'s broken storage.
public enum BlobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(sha256: String)
    case invalidRange(sha256: String, range: ClosedRange<Int64>, size: Int64?)
    /// What the store holds after a write is not what was written (size or SHA-256 differ).
    case verificationFailed(String)

    public var description: String {
        switch self {
        case .notFound(let sha256): "blob \(sha256) is not stored"
        case .invalidRange(let sha256, let range, let size):
            "bytes \(range.lowerBound)-\(range.upperBound) are outside blob \(sha256)" + (size.map { " of \($0) bytes" } ?? "")
        case .verificationFailed(let message): "stored blob does not match what was written: \(message)"
        }
    }
}
