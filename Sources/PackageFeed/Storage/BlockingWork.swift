import Foundation

/// Runs blocking file-system work (fsync, large copies) on its own thread so it never stalls the
/// cooperative pool that serves requests.
public enum BlockingWork {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
