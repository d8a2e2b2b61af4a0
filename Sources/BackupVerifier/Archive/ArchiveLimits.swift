/// Bounds on what one archive may hold, so a small upload cannot make the verifier expand terabytes (zip bombs).
public struct ArchiveLimits: Sendable, Equatable {
    public var maxEntries: Int
    /// Sum of the uncompressed sizes of all entries, both as declared and as actually read.
    public var maxExpandedBytes: Int64
    /// Output bytes per input byte any one layer may reach (a zip entry by its headers, a decoder as it runs)…
    public var maxRatio: Int64
    /// …once it has produced this much: small streams of zeros reach any ratio and harm nothing. gzip cannot pass
    /// 1032:1 and real dumps stay far below the default; only the other compressors' bombs reach it.
    public var ratioCheckAfterBytes: Int64

    public init(maxEntries: Int = 10_000, maxExpandedBytes: Int64 = 64 << 30, maxRatio: Int64 = 10_000, ratioCheckAfterBytes: Int64 = 64 << 20) {
        self.maxEntries = maxEntries
        self.maxExpandedBytes = maxExpandedBytes
        self.maxRatio = maxRatio
        self.ratioCheckAfterBytes = ratioCheckAfterBytes
    }
}

/// Why an archive (or a bare dump file) cannot be trusted or read. Every case is a bad backup, not a verifier fault,
/// except `io`, which means the stored file itself could not be read.
public enum ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    case notOpenable(String)
    case tooManyEntries(count: Int, limit: Int)
    case tooLarge(bytes: Int64, limit: Int64)
    case crcMismatch(entry: String)
    case damagedEntry(entry: String, reason: String)
    case encrypted(entry: String)
    /// Damage inside a layer (a compressed stream, a tar): the message names the layer and what is wrong.
    case damagedLayer(String)
    /// A layer expanded past `maxExpandedBytes` (counted over every layer's output).
    case layerTooLarge(layer: String, bytes: Int64, limit: Int64)
    /// A layer's output outgrew its input by more than `maxRatio`.
    case ratioTooHigh(layer: String, ratio: Int64, limit: Int64)
    /// A valid layer this verifier cannot read (verdict `error`): the message says what would make it readable.
    case unsupported(String)
    case io(String)

    public var description: String {
        switch self {
        case .notOpenable(let reason): "archive cannot be opened: \(reason)"
        case .tooManyEntries(let count, let limit): "archive has \(count) entries, more than the limit of \(limit)"
        case .tooLarge(let bytes, let limit):
            "archive expands to \(ByteFormat.string(bytes)) or more, more than the limit of \(ByteFormat.string(limit)) (zip bomb?)"
        case .crcMismatch(let entry): "entry \(entry): CRC mismatch (the archive is damaged)"
        case .damagedEntry(let entry, let reason): "entry \(entry): \(reason)"
        case .encrypted(let entry): "entry \(entry) is encrypted; the verifier cannot read it"
        case .damagedLayer(let message): message
        case .layerTooLarge(let layer, let bytes, let limit):
            "\(layer) expands to \(ByteFormat.string(bytes)) or more, more than the limit of \(ByteFormat.string(limit)) (a decompression bomb?)"
        case .ratioTooHigh(let layer, let ratio, let limit):
            "\(layer) expands \(ratio) times its compressed size, more than the limit of \(limit):1 (a decompression bomb?)"
        case .unsupported(let message): message
        case .io(let reason): "cannot read the stored file: \(reason)"
        }
    }

    /// Whether the fault is the verifier's (it cannot read the file or the variant): verdict `error`, not `failed`.
    public var isVerifierLimitation: Bool {
        switch self {
        case .io, .unsupported: true
        default: false
        }
    }
}

/// Human byte counts for reasons ("5.0 MiB").
enum ByteFormat {
    static func string(_ bytes: Int64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = (value * 10).rounded() / 10
        return "\(rounded) \(units[unit])"
    }
}
