import Foundation

/// Judges from a finished scan whether the dump is whole: its tool's end marker is there, or, when the tool was
/// told to omit it, at least the text stops between statements. A dump visibly cut short fails.
enum CompletenessCheck {
    static func judge(_ scan: DumpScanner) -> (status: CheckStatus, detail: String) {
        guard let format = scan.format else { return (.skipped, "format unknown") }
        return judge(scan, format: format)
    }

    /// A multi-member pg_dump archive, recognised by its members rather than scanned as one stream.
    static func judge(archive format: DumpFormat) -> (status: CheckStatus, detail: String) {
        judge(DumpScanner(), format: format)
    }

    private static func judge(_ scan: DumpScanner, format: DumpFormat) -> (status: CheckStatus, detail: String) {
        switch format {
        case .pgCustom:
            return (.passed, "custom-format archive; pg_restore reads its whole table of contents during the restore")
        case .pgTar, .pgDirectory:
            // Every member was read to its end by the integrity pass; pg_restore finds a data file the TOC names missing.
            return (.passed, "\(format == .pgTar ? "tar" : "directory")-format archive: every member read whole; pg_restore checks its table of contents against the data files during the restore")
        case .sqliteFile:
            return sqliteFile(scan)
        case .mysqlDump, .pgPlain, .sqliteDump:
            return text(scan, format: format)
        }
    }

    private static func text(_ scan: DumpScanner, format: DumpFormat) -> (status: CheckStatus, detail: String) {
        let lines = scan.lexer?.line ?? 0
        let lastLine = max(1, lines - (scan.tail.last == 0x0A ? 1 : 0))
        if let unfinished = scan.lexer?.unfinishedAt {
            return (.failed, "dump ends in the middle of a statement at line \(unfinished): truncated")
        }
        let last = scan.lastLines(4)
        switch format {
        case .mysqlDump:
            if last.last?.hasPrefix("-- Dump completed") == true { return (.passed, "ends with \"-- Dump completed\" after \(lastLine) lines") }
            if scan.headContains("-- MySQL dump") || scan.headContains("-- MariaDB dump") {
                return (.failed, "dump has a mysqldump header but no \"-- Dump completed\" line: cut short after line \(lastLine), truncated")
            }
            return (.warning, "no \"-- Dump completed\" marker (dump made with --skip-comments?); it ends on a complete statement at line \(lastLine)")
        case .pgPlain:
            // pg_dump 15.14+/17.6+ put `\unrestrict KEY` after the marker.
            let meaningful = last.filter { $0 != "--" && !$0.hasPrefix("\\unrestrict") }
            // pg_dumpall ends its output with the cluster variant of the marker.
            if let marker = meaningful.last,
               marker == "-- PostgreSQL database dump complete" || marker == "-- PostgreSQL database cluster dump complete" {
                return (.passed, "ends with \"\(marker)\" after \(lastLine) lines")
            }
            if scan.headContains("-- PostgreSQL database dump") || scan.headContains("-- PostgreSQL database cluster dump") {
                return (.failed, "dump has a pg_dump header but no \"-- PostgreSQL database dump complete\" line: cut short after line \(lastLine), truncated")
            }
            return (.warning, "no \"-- PostgreSQL database dump complete\" marker; it ends on a complete statement at line \(lastLine)")
        default:
            // A comment a backup script appended after the dump (`-- made by nightly.sh`) does not make it incomplete.
            let statements = last.filter { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !trimmed.isEmpty && !trimmed.hasPrefix("--")
            }
            if statements.last?.trimmingCharacters(in: .whitespaces).uppercased() == "COMMIT;" {
                return (.passed, "ends with COMMIT; after \(lastLine) lines")
            }
            if scan.headContains("BEGIN TRANSACTION;") {
                return (.failed, "dump opens a transaction but has no final COMMIT;: cut short after line \(lastLine), truncated")
            }
            return (.warning, "no final COMMIT; (not a plain sqlite3 .dump); it ends on a complete statement at line \(lastLine)")
        }
    }

    /// A database file is whole when it is as long as its header says (page size × page count).
    private static func sqliteFile(_ scan: DumpScanner) -> (status: CheckStatus, detail: String) {
        let h = scan.head
        guard h.count >= 100 else { return (.failed, "SQLite file is \(scan.byteCount) bytes, shorter than its 100-byte header: truncated") }
        func be32(_ at: Int) -> UInt32 { h[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        let rawPage = UInt32(h[16]) << 8 | UInt32(h[17])
        let pageSize = Int64(rawPage == 1 ? 65536 : rawPage)
        let pages = Int64(be32(28))
        // The in-header size is only valid when the change counter matches version-valid-for (SQLite ≥ 3.7.0).
        guard pages > 0, be32(24) == be32(92), pageSize >= 512 else {
            return (.passed, "SQLite file of \(scan.byteCount) bytes (no page count in its header; integrity_check decides)")
        }
        let expected = pages * pageSize
        if scan.byteCount < expected {
            return (.failed, "SQLite file is \(scan.byteCount) bytes but its header says \(pages) pages of \(pageSize) (\(expected) bytes): truncated")
        }
        return (.passed, "SQLite file holds all \(pages) pages of \(pageSize) bytes its header declares")
    }
}
