/// A compression format, recognised by its magic number (never by the file name).
public enum Compression: String, Sendable, CaseIterable {
    case gzip, zstd, xz, bzip2, lz4

    /// The compression the first bytes of a stream announce, if any.
    static func detect(_ head: [UInt8]) -> Compression? {
        if head.starts(with: [0x1F, 0x8B]) { return .gzip }
        if head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if head.starts(with: [0x04, 0x22, 0x4D, 0x18]) { return .lz4 }
        // "BZh", a block size digit, then the magic of a first block (π) or of an empty stream's end (√π).
        if head.count >= 10, head.starts(with: Array("BZh".utf8)), (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(head[3]) {
            let block = Array(head[4..<10])
            if block == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] || block == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90] { return .bzip2 }
        }
        return nil
    }

    /// lz4's legacy format (`lz4 -l`, old Linux kernels), which the frame API does not read.
    static func isLegacyLz4(_ head: [UInt8]) -> Bool { head.starts(with: [0x02, 0x21, 0x4C, 0x18]) }

    func makeDecoder() throws(DecodeFailure) -> any StreamDecoder {
        switch self {
        case .gzip: try GzipDecoder()
        case .zstd: try ZstdDecoder()
        case .xz: try XzDecoder()
        case .bzip2: try Bzip2Decoder()
        case .lz4: try Lz4Decoder()
        }
    }

    /// What decoding a whole stream proves, for the integrity check's detail.
    var verified: String {
        switch self {
        case .gzip: "CRC-32 and length of every member verified"
        case .zstd: "every frame complete, content checksums verified where present"
        case .xz: "every block check verified"
        case .bzip2: "block and stream CRCs verified"
        case .lz4: "every frame complete, checksums verified where present"
        }
    }
}

/// One step from the stored file towards a dump.
enum LayerStep: Sendable, Equatable {
    /// An entry of the zip that is the stored file itself.
    case zipEntry(index: UInt64, name: String)
    /// The `ordinal`-th member (0-based, headers of every type counted) of a tar stream.
    case tarEntry(ordinal: Int, name: String)
    /// A compressed stream, decoded.
    case decode(Compression)
    /// An encrypted stream, decrypted by the real tool (outside the sandbox) with a stored identity.
    case decrypt(Encryption)

    var entryName: String? {
        switch self {
        case .zipEntry(_, let name), .tarEntry(_, let name): name
        case .decode, .decrypt: nil
        }
    }

    /// The report's words for this step: the container kind, then the entry name ("zip", "dump.tar.gz").
    var reportLayers: [String] {
        switch self {
        case .zipEntry(_, let name): ["zip", name]
        case .tarEntry(_, let name): ["tar", name]
        case .decode(let compression): [compression.rawValue]
        case .decrypt(let encryption): [encryption.rawValue]
        }
    }
}

/// The steps from the stored file to one stream inside it, outermost first. Empty: the stored file itself.
typealias LayerRoute = [LayerStep]

extension Array where Element == LayerStep {
    /// The innermost entry name on the way ("dump.sql.gz"), for naming where damage is.
    var innermostEntry: String? { reversed().lazy.compactMap(\.entryName).first }

    var reportLayers: [String] { flatMap(\.reportLayers) }
}

/// Zip by content, not by name: local file header, or the end record of an empty archive.
func looksLikeZip(_ head: [UInt8]) -> Bool {
    head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06])
}
