import Foundation
import Logging

/// Blobs no version points at: what a deleted version leaves when its bytes were shared no more, or what a
/// crash between placing a blob and committing its version left behind.
public struct UnusedBlobs: Sendable, Equatable {
    public var count: Int
    public var bytes: Int64
}

extension PackageFeed {
    /// Removes (or with `dryRun` only counts) the blobs no version uses.
    public func removeUnusedBlobs(dryRun: Bool) async throws -> UnusedBlobs {
        let blobs = self.blobs
        let result = try await catalog.removeUnreferencedBlobs { referenced in
            var unused = UnusedBlobs(count: 0, bytes: 0)
            for sha256 in try blobs.allBlobs() where !referenced.contains(sha256) {
                let size = blobs.fileURL(sha256: sha256)
                    .flatMap { try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? NSNumber }?.int64Value ?? 0
                if !dryRun { try blobs.remove(sha256: sha256) }
                unused.count += 1
                unused.bytes += size
            }
            return unused
        }
        if result.count > 0 {
            logger.info("unused blobs", metadata: ["count": "\(result.count)", "bytes": "\(result.bytes)", "removed": "\(!dryRun)"])
        }
        return result
    }
}
