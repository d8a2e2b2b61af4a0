import Foundation

/// The limits of one pass over a stored file, shared by every layer in it: bytes produced by decompression
/// (zip entries and decoders; a tar only slices its stream, so its members do not count again), members of
/// every archive, and the run's deadline.
final class LayerBudget {
    let limits: ArchiveLimits
    let deadline: ContinuousClock.Instant?
    private(set) var expandedBytes: Int64 = 0
    private(set) var entries = 0

    init(limits: ArchiveLimits, deadline: ContinuousClock.Instant?) {
        self.limits = limits
        self.deadline = deadline
    }

    /// Counts `count` decompressed bytes made by `layer` ("gzip", "dump.sql.gz › gzip").
    func expand(_ count: Int, layer: @autoclosure () -> String) throws {
        expandedBytes += Int64(count)
        if expandedBytes > limits.maxExpandedBytes {
            throw ArchiveError.layerTooLarge(layer: layer(), bytes: expandedBytes, limit: limits.maxExpandedBytes)
        }
    }

    /// Counts archive members (zip entries are counted from the central directory before any is read).
    func addEntries(_ count: Int) throws {
        entries += count
        if entries > limits.maxEntries { throw ArchiveError.tooManyEntries(count: entries, limit: limits.maxEntries) }
    }

    func checkRatio(output: Int64, input: Int64, layer: @autoclosure () -> String) throws {
        guard output > limits.ratioCheckAfterBytes else { return }
        let ratio = output / max(input, 1)
        if ratio > limits.maxRatio { throw ArchiveError.ratioTooHigh(layer: layer(), ratio: ratio, limit: limits.maxRatio) }
    }

    func checkDeadline() throws {
        if let deadline, ContinuousClock.now >= deadline {
            throw EngineError.timedOut("reading the archive did not finish before the deadline")
        }
    }
}
