import Foundation

/// Recognises a dump by its first bytes, never by its name (backup scripts name everything `dump.sql`).
public enum FormatDetector {
    /// How many leading bytes detection looks at: mysqldump 8 may put `CREATE DATABASE`/`USE` before its header.
    public static let headSize = 64 * 1024

    /// The format, plus the evidence that decided it; nil with a reason when nothing matched.
    public static func detect(head: [UInt8]) -> (format: DumpFormat?, evidence: String) {
        if head.starts(with: Array("PGDMP".utf8)) { return (.pgCustom, "PGDMP magic (pg_dump custom format)") }
        if head.starts(with: Array("SQLite format 3".utf8) + [0]) { return (.sqliteFile, "SQLite database file header") }
        if let sidecar = SQLiteSidecarFiles.describe(head: head) { return (nil, sidecar) }
        if head.starts(with: [0x1F, 0x8B]) { return (nil, "gzip-compressed file: push the dump zipped or uncompressed") }
        if let notABackup = NotABackup.identify(head: head) { return (nil, notABackup) }
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.contains(0) { return (nil, "binary content that is neither a pg_dump custom archive nor a SQLite database") }
        let text = String(decoding: bytes, as: UTF8.self)
        for (format, markers) in textMarkers {
            if let marker = markers.first(where: { text.contains($0) }) {
                return (format, "found \"\(marker.trimmingCharacters(in: .whitespacesAndNewlines))\"")
            }
        }
        if let evidence = MySQLContentSniffer.evidence(text) { return (.mysqlDump, evidence) }
        return (nil, "no mysqldump, pg_dump or sqlite3 .dump header in the first \(headSize / 1024) KiB")
    }

    /// Strong header comments first, then statements only one tool writes.
    static let textMarkers: [(DumpFormat, [String])] = [
        (.mysqlDump, ["-- MySQL dump", "-- MariaDB dump", "/*M!999999"]),
        (.mysqlDump, MySQLContentSniffer.toolHeaders),
        (.pgPlain, ["-- PostgreSQL database dump", "-- PostgreSQL database cluster dump"]),
        (.mysqlDump, ["/*!40101 SET", "/*!40014 SET", "/*!40103 SET"]),
        (.pgPlain, ["SET statement_timeout", "\n\\restrict ", "pg_catalog.set_config('search_path'"]),
        (.sqliteDump, ["PRAGMA foreign_keys=OFF;", "BEGIN TRANSACTION;"]),
    ]

    /// The text format an explicitly chosen engine expects, for dumps without any recognisable header.
    static func assumedFormat(for engine: EngineChoice) -> DumpFormat? {
        switch engine {
        case .auto: nil
        case .sqlite: .sqliteDump
        case .mariadb: .mysqlDump
        case .postgres: .pgPlain
        }
    }
}
