/// One 512-byte tar header block, read the way GNU tar and bsdtar read it: ustar and GNU magic, base-256 sizes,
/// the ustar name prefix; pax and GNU long-name records are applied by `TarReader`.
struct TarHeader {
    static let blockSize = 512

    var name: String
    var size: Int64
    var typeflag: UInt8

    enum Kind { case file, directory, longName, paxLocal, paxGlobal, other }

    var kind: Kind {
        switch typeflag {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): .file
        case UInt8(ascii: "5"): .directory
        case UInt8(ascii: "L"): .longName
        case UInt8(ascii: "x"): .paxLocal
        case UInt8(ascii: "g"): .paxGlobal
        default: .other
        }
    }

    /// Whether a block is a tar header: its checksum (sum of all bytes, the checksum field as spaces) matches.
    /// This is what tells a tar without magic (v7) from any other data.
    static func checksumMatches(_ block: UnsafeRawBufferPointer) -> Bool {
        guard block.count >= blockSize, let stored = octal(block, 148, 8) else { return false }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for i in 0..<blockSize {
            let byte = (148..<156).contains(i) ? UInt8(ascii: " ") : block[i]
            unsigned += Int64(byte)
            signed += Int64(Int8(bitPattern: byte))
        }
        return stored == unsigned || stored == signed
    }

    static func isZeroBlock(_ block: UnsafeRawBufferPointer) -> Bool {
        block.allSatisfy { $0 == 0 }
    }

    /// Recognises a tar stream by its first block: ustar/GNU magic at 257, or a v7 header whose checksum holds.
    static func looksLikeTar(_ head: [UInt8]) -> Bool {
        guard head.count >= blockSize else { return false }
        return head.withUnsafeBytes { block in
            let magic = Array(block[257..<262])
            // ustar and GNU magic: a tar, even when this header is damaged (the reader then says so).
            if magic == Array("ustar".utf8) { return true }
            // v7: a name, a checksum that holds, and not a block of zeros.
            return block[0] != 0 && checksumMatches(block)
        }
    }

    /// Parses a header block whose checksum has been checked.
    init?(_ block: UnsafeRawBufferPointer) {
        guard let size = Self.number(block, 124, 12) else { return nil }
        self.size = size
        typeflag = block[156]
        var name = Self.string(block, 0, 100)
        // ustar (not GNU, which uses those bytes for times) keeps a path prefix at 345.
        let isUstar = Array(block[257..<263]) == Array("ustar".utf8) + [0]
        if isUstar {
            let prefix = Self.string(block, 345, 155)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        self.name = name
    }

    static func string(_ block: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> String {
        let field = block[offset..<offset + length]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: block[offset..<end], as: UTF8.self)
    }

    /// Octal digits (NUL- or space-terminated), or GNU's base-256 when the top bit of the first byte is set.
    static func number(_ block: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> Int64? {
        if block[offset] & 0x80 != 0 {
            var value: Int64 = Int64(block[offset] & 0x7F)
            for i in offset + 1..<offset + length {
                guard value <= Int64.max >> 8 else { return nil }
                value = value << 8 | Int64(block[i])
            }
            return value
        }
        return octal(block, offset, length)
    }

    static func octal(_ block: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        for i in offset..<offset + length {
            let byte = block[i]
            if byte == 0 || (byte == UInt8(ascii: " ") && digits > 0) { break }
            if byte == UInt8(ascii: " ") { continue }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte), value <= Int64.max >> 3 else { return nil }
            value = value << 3 | Int64(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return value
    }
}
