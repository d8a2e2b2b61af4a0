import Foundation

/// Where package bytes live. Content-addressed by SHA-256; an upload becomes visible only when committed.
public protocol BlobStore: Sendable {
    /// Starts a new upload into a temporary file; nothing is visible until `commit`.
    func beginUpload() throws -> BlobUpload
    /// Flushes a finished upload to disk and returns its digest (slow: call outside any lock).
    func finish(_ upload: BlobUpload) async throws -> BlobDigest
    /// Moves a finished upload into place; identical content already stored is kept once.
    func place(_ upload: BlobUpload, digest: BlobDigest) throws
    /// The file holding a blob, or nil when it is missing.
    func fileURL(sha256: String) -> URL?
    /// Removes a blob no version uses any more.
    func remove(sha256: String) throws
    /// Every stored blob's SHA-256 (for the startup sweep).
    func allBlobs() throws -> [String]
    /// Removes temp files left by a crash.
    func sweepTemporaryFiles() throws -> Int
}
