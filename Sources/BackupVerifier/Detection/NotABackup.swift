import Foundation

/// Names what a pushed file is when it is no backup at all, so that the reason says what happened ("an HTML page",
/// "a Git LFS pointer") instead of "binary content" or "no header". Every check reads only the head bytes the
/// detector gets, which, behind compressed or archived layers, are the innermost content's.
enum NotABackup {
    /// Why `head` cannot be a backup, or nil when it may be one (the format detector then decides).
    static func identify(head: [UInt8]) -> String? {
        if head.isEmpty { return "the file is empty (0 bytes): the backup job wrote nothing (did the dump command fail before its first byte?)" }
        if let utf16 = utf16(head) { return utf16 }
        let text = leadingText(head)
        if text.hasPrefix("version https://git-lfs.github.com/spec/") { return lfsPointer(text) }
        if isHTML(text) { return html(text) }
        if let json = json(head, text: text) { return json }
        if head.starts(with: Array("%PDF-".utf8)) { return "a PDF document, not a backup" }
        return nil
    }

    /// `mysqldump > dump.sql` in Windows PowerShell 5 writes UTF-16 with a byte-order mark; no restore client reads it.
    private static func utf16(_ head: [UInt8]) -> String? {
        let order: String
        if head.starts(with: [0xFF, 0xFE]) { order = "UTF-16LE" } else if head.starts(with: [0xFE, 0xFF]) { order = "UTF-16BE" } else { return nil }
        let body = head.dropFirst(2)
        let units = stride(from: body.startIndex, to: body.endIndex - 1, by: 2).prefix(200).map { index -> UInt16 in
            order == "UTF-16LE" ? UInt16(body[index]) | UInt16(body[index + 1]) << 8 : UInt16(body[index]) << 8 | UInt16(body[index + 1])
        }
        let preview = String(decoding: units, as: UTF16.self)
        let looksLikeDump = ["-- MySQL dump", "-- MariaDB dump", "-- PostgreSQL database dump", "CREATE TABLE", "INSERT INTO", "/*!40101"]
            .contains { preview.contains($0) }
        let what = looksLikeDump ? "a SQL dump saved as \(order) text" : "a \(order) text file (byte-order mark)"
        return "\(what): restore clients read UTF-8 only. This is what `mysqldump > dump.sql` writes in Windows PowerShell 5; "
            + "write the dump with `mysqldump --result-file=dump.sql …` (or `pg_dump -f dump.sql`), or convert it with "
            + "`iconv -f \(order) -t UTF-8 dump.sql > dump-utf8.sql`, and push that"
    }

    /// The head as text after a UTF-8 byte-order mark and leading whitespace, invalid bytes repaired (a few KiB).
    private static func leadingText(_ head: [UInt8]) -> String {
        var bytes = head.prefix(8192)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.drop { $0.isWhitespace })
    }

    private static func lfsPointer(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline)
        let oid = lines.first { $0.hasPrefix("oid ") }.map { String($0.dropFirst(4)) }
        let size = lines.first { $0.hasPrefix("size ") }.flatMap { Int64($0.dropFirst(5)) }
        var detail = ""
        if let oid { detail += " \(oid.prefix(20))…" }
        if let size { detail += " of \(ByteFormat.string(size))" }
        return "a Git LFS pointer\(detail.isEmpty ? "" : " (to" + detail + ")"): the dump itself was never stored. "
            + "The file was taken from a Git checkout without its LFS content; fetch it with `git lfs pull` and push the real file"
    }

    private static func isHTML(_ text: String) -> Bool {
        let start = text.prefix(512).lowercased()
        return start.hasPrefix("<!doctype html") || start.hasPrefix("<html") || start.hasPrefix("<head")
            || (start.hasPrefix("<") && (start.contains("<html") || start.contains("<body")))
    }

    private static func html(_ text: String) -> String {
        var title = ""
        if let match = text.prefix(8192).firstMatch(of: #/<title[^>]*>([^<]{1,120})<\/title>/#.ignoresCase()) {
            let name = match.output.1.trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty { title = " (\"\(name)\")" }
        }
        return "an HTML page\(title), not a backup: whatever saved this file downloaded a web page (a login page, an error page) instead of the dump"
    }

    /// A JSON document: an API's error body saved in place of the file. Only a head that parses whole, or starts
    /// like an object with a quoted key, is called JSON; a dump never starts with `{` or `[`.
    private static func json(_ head: [UInt8], text: String) -> String? {
        guard let first = text.first, first == "{" || first == "[" else { return nil }
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8))
        let looksLikeObject = text.dropFirst().drop { $0.isWhitespace }.first == "\""
        guard object != nil || (first == "{" && looksLikeObject) else { return nil }
        var detail = ""
        if let dictionary = object as? [String: Any] {
            for key in ["error", "message", "detail", "errorMessage", "ErrorMessage", "status"] {
                if let value = dictionary[key] as? String { detail = " (\"\(key)\": \"\(value.prefix(120))\")"; break }
                if let nested = dictionary[key] as? [String: Any], let message = nested["message"] as? String {
                    detail = " (\"\(key)\": \"\(message.prefix(120))\")"; break
                }
            }
        }
        return "a JSON document\(detail), not a backup: probably an API's error response saved in place of the dump (JSON exports are not restorable dumps)"
    }

    /// For an archive none of whose entries looks like a dump (a zip of source code): nil when one could be.
    static func describeArchive(entryNames: [String]) -> String? {
        let sourceExtensions = [
            ".swift", ".js", ".ts", ".py", ".rb", ".php", ".java", ".go", ".rs", ".c", ".h", ".cpp", ".cs", ".html", ".css",
            ".json", ".md", ".yml", ".yaml", ".toml", ".lock", ".gitignore", ".sh", ".kt", ".vue", ".jsx", ".tsx", ".png", ".svg",
        ]
        let names = entryNames.map { $0.lowercased() }
        let code = names.filter { name in sourceExtensions.contains { name.hasSuffix($0) } || name.contains("/.git/") }
        guard names.count >= 2, code.count * 2 >= names.count else { return nil }
        let sample = entryNames.prefix(5).joined(separator: ", ")
        return "an archive of \(entryNames.count) files that looks like source code (\(sample)\(entryNames.count > 5 ? ", …" : "")), "
            + "not a backup: none of its entries is a dump"
    }
}
