/// Reads a dump's raw bytes in order, as the restore client's own lexer would, and stops at the first client
/// command (psql's `\…`, the mariadb client's `\e`, `connect`, …) that is not inside a string, comment or COPY
/// data. The restore client runs such commands itself, before any SQL reaches the server: a dump that holds one
/// is refused whole, naming the line, instead of being handed to the client.
protocol ClientCommandScanner {
    /// Scans the next bytes; returns why the dump is refused at the first client command found.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> String?
    /// Called at the end of the dump (a last line without a line ending may still hold a command).
    mutating func finish() -> String?
}

/// ASCII helpers shared by the scanners.
enum ScannerBytes {
    static let newline: UInt8 = 0x0A
    static let backslash: UInt8 = 0x5C

    static func isIdentifier(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            || byte >= 0x80
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C || byte == 0x0B }

    static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }

    /// Printable form of a command word for a reason (never more than a few characters of the dump).
    static func word(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(24), as: UTF8.self).filter { !$0.isNewline }
    }
}
