import Foundation

/// Which tool and version wrote a PostgreSQL dump, and from which server, read from the dump's own header:
/// the `-- Dumped from database version …` / `-- Dumped by pg_dump version …` comments of a plain dump
/// (pg_dumpall's cluster header, or the first database section inside it), or the header of a custom / tar /
/// directory archive (`PGDMP`, the fields `pg_restore -l` prints as "Dumped from database version: …").
struct PostgresDumpOrigin: Equatable {
    /// "pg_dump 15.4", "pg_dumpall 10.12", "pg_dumpall" (a 15+ globals-only dump names no version).
    var dumpTool: String?
    /// "PostgreSQL 15.4".
    var sourceServer: String?
    /// The bare pg_dump version ("15.4", "9.6.24"): decides the version-specific rewrites.
    var toolVersion: String?
    /// pg_dumpall output (`-- PostgreSQL database cluster dump`).
    var isCluster = false

    /// The major version of the tool (9.6 → 9, 15.4 → 15), when known.
    var toolMajor: Int? { toolVersion.flatMap { Int($0.prefix { $0.isNumber }) } }

    static func read(head: [UInt8]) -> PostgresDumpOrigin? {
        if head.starts(with: Array("PGDMP".utf8)) { return archive(head) }
        return plain(String(decoding: head, as: UTF8.self))
    }

    /// A plain dump's header comments. pg_dumpall writes its own version only up to PostgreSQL 10ish (and some
    /// versions not at all): the pg_dump version of its first database section is then the cluster tool's too.
    static func plain(_ text: String) -> PostgresDumpOrigin? {
        var origin = PostgresDumpOrigin()
        origin.isCluster = text.contains("-- PostgreSQL database cluster dump")
        var dumpedBy: String?
        var dumpallBy: String?
        var from: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).prefix(4000) {
            guard line.hasPrefix("-- Dumped ") else { continue }
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if from == nil, let version = text.firstMatch(of: #/^-- Dumped from database version (\S+)/#) {
                from = String(version.output.1)
            } else if dumpallBy == nil, let version = text.firstMatch(of: #/^-- Dumped by pg_dumpall version (\S+)/#) {
                dumpallBy = String(version.output.1)
            } else if dumpedBy == nil, let version = text.firstMatch(of: #/^-- Dumped by pg_dump version (\S+)/#) {
                dumpedBy = String(version.output.1)
            }
        }
        guard origin.isCluster || dumpedBy != nil || from != nil else { return nil }
        origin.toolVersion = dumpallBy ?? dumpedBy
        let tool = origin.isCluster ? "pg_dumpall" : "pg_dump"
        origin.dumpTool = origin.toolVersion.map { "\(tool) \($0)" } ?? (origin.isCluster ? tool : nil)
        origin.sourceServer = from.map { "PostgreSQL \($0)" }
        return origin
    }

    /// The archive header (pg_backup_archiver.c `ReadHead`): magic, version bytes, integer and offset sizes,
    /// format, compression, creation time, database name, then the server's and pg_dump's version strings.
    static func archive(_ head: [UInt8]) -> PostgresDumpOrigin? {
        var reader = ArchiveHeaderReader(bytes: head)
        guard reader.skip(5), let major = reader.byte(), let minor = reader.byte() else { return nil }
        let revision = major > 1 || minor > 2 ? reader.byte() : 0
        guard let revision, let intSize = reader.byte(), reader.skip(1), reader.skip(1) else { return nil }  // offset size, format
        let version = (Int(major), Int(minor), Int(revision))
        reader.intSize = Int(intSize)
        guard (1...8).contains(reader.intSize) else { return nil }
        if version >= (1, 15, 0) {
            guard reader.skip(1) else { return nil }  // compression algorithm
        } else if version >= (1, 4, 0) {
            guard reader.int() != nil else { return nil }
        } else if version >= (1, 2, 0) {
            guard reader.skip(1) else { return nil }
        }
        guard version >= (1, 10, 0) else { return PostgresDumpOrigin(dumpTool: "pg_dump") }
        for _ in 0..<7 { guard reader.int() != nil else { return nil } }  // the creation time
        guard reader.string() != nil, let server = reader.string(), let dumper = reader.string() else { return nil }
        let serverVersion = server.split(separator: " ").first.map(String.init)
        let dumpVersion = dumper.split(separator: " ").first.map(String.init)
        return PostgresDumpOrigin(
            dumpTool: dumpVersion.map { "pg_dump \($0)" } ?? "pg_dump", sourceServer: serverVersion.map { "PostgreSQL \($0)" },
            toolVersion: dumpVersion)
    }
}

/// Reads pg_dump's archive integers (a sign byte, then `intSize` bytes, least significant first) and strings.
private struct ArchiveHeaderReader {
    let bytes: [UInt8]
    var offset = 0
    var intSize = 4

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func skip(_ count: Int) -> Bool {
        guard offset + count <= bytes.count else { return false }
        offset += count
        return true
    }

    mutating func int() -> Int? {
        guard let sign = byte(), offset + intSize <= bytes.count else { return nil }
        var value = 0
        for index in 0..<intSize where index < 7 { value |= Int(bytes[offset + index]) << (8 * index) }
        offset += intSize
        return sign == 0 ? value : -value
    }

    /// A length-prefixed string; "" for pg_dump's NULL (-1).
    mutating func string() -> String? {
        guard let length = int() else { return nil }
        if length < 0 { return "" }
        guard length <= 4096, offset + length <= bytes.count else { return nil }
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }
}

/// pg_dump, pg_dumpall and pgAdmin headers as one family of `DumpOrigin`.
extension PostgresDumpOrigin: DumpOriginParser {
    static func origin(head: [UInt8], format: DumpFormat?) -> DumpOrigin? {
        guard format == .pgPlain || format == .pgCustom, let origin = read(head: head) else { return nil }
        return DumpOrigin(tool: origin.dumpTool, sourceServer: origin.sourceServer)
    }
}
