import Foundation

/// One notification as an RFC 5322 message: a plain-text and an HTML part (multipart/alternative), both UTF-8 in
/// base64, so that no line of the body can be mistaken for SMTP's end of data and no dump text can add headers.
struct EmailMessage: Sendable {
    var from: String
    var to: [String]
    var subject: String
    var text: String
    var html: String
    /// The same on every attempt of a delivery, so that a mail system can drop a duplicate after a retry.
    var messageID: String
    var extraHeaders: [(String, String)] = []

    init(_ content: NotificationContent, from: String, to: [String]) {
        self.from = from
        self.to = to
        subject = "[BackupFeed] \(content.headline)"
        var text = "\(content.headline)\n\n\(content.summary)\n\n"
        text += "Package: \(content.package)\n"
        if let version = content.version { text += "Version: \(version)\n" }
        if let verdict = content.verdict { text += "Verdict: \(verdict)\n" }
        text += "When: \(content.occurredAt)\n"
        for check in content.failingChecks ?? [] { text += "\n\(check.name): \(check.reason)" }
        text += "\n\nReport: \(content.reportUrl)\n"
        self.text = text
        html = Self.html(content)
        let domain = from.split(separator: "@").last.map(String.init) ?? "backupfeed"
        messageID = "<backupfeed.delivery.\(content.deliveryId).\(content.event)@\(domain)>"
        extraHeaders = [("X-BackupFeed-Event", content.event), ("X-BackupFeed-Delivery", String(content.deliveryId))]
    }

    static func html(_ content: NotificationContent) -> String {
        let colour = content.isProblem ? "#b3261e" : "#1b6e2a"
        var rows = "<tr><th align=\"left\">Package</th><td>\(escape(content.package))</td></tr>"
        if let version = content.version { rows += "<tr><th align=\"left\">Version</th><td>\(escape(version))</td></tr>" }
        if let verdict = content.verdict { rows += "<tr><th align=\"left\">Verdict</th><td>\(escape(verdict))</td></tr>" }
        rows += "<tr><th align=\"left\">When</th><td>\(escape(content.occurredAt))</td></tr>"
        let checks = (content.failingChecks ?? []).map { "<li><strong>\(escape($0.name))</strong>: \(escape($0.reason))</li>" }.joined()
        return """
            <!doctype html><html><body style="font-family: sans-serif">
            <h2 style="color: \(colour)">\(escape(content.headline))</h2>
            <p>\(escape(content.summary))</p>
            <table>\(rows)</table>
            \(checks.isEmpty ? "" : "<ul>\(checks)</ul>")
            <p><a href="\(escape(content.reportUrl))">Open the report</a></p>
            </body></html>
            """
    }

    /// The message as sent after SMTP's DATA, lines ending in CRLF (without the final ".").
    func rendered(date: Date = Date(), boundary: String = "backupfeed-\(UUID().uuidString)") -> String {
        var headers: [(String, String)] = [
            ("From", "BackupFeed <\(from)>"),
            ("To", to.joined(separator: ", ")),
            ("Subject", Self.encodedWord(subject)),
            ("Date", Self.rfc5322Date(date)),
            ("Message-ID", messageID),
            ("MIME-Version", "1.0"),
            ("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""),
        ]
        headers += extraHeaders
        var lines = headers.map { "\($0.0): \(Self.singleLine($0.1))" }
        lines.append("")
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines.append("--\(boundary)")
            lines.append("Content-Type: \(type); charset=utf-8")
            lines.append("Content-Transfer-Encoding: base64")
            lines.append("")
            lines += Self.base64Lines(body)
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A header value never spans lines: a CR or LF taken from a package name must not start a new header.
    static func singleLine(_ value: String) -> String {
        value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// RFC 2047 B-encoding when the text is not plain printable ASCII.
    static func encodedWord(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        if plain { return text }
        // Encoded words are at most 75 characters: split the UTF-8 at character boundaries.
        var words: [String] = []
        var chunk = ""
        for character in text {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?utf-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        return stride(from: 0, to: encoded.count, by: 76).map { start in
            let from = encoded.index(encoded.startIndex, offsetBy: start)
            let to = encoded.index(from, offsetBy: min(76, encoded.count - start))
            return String(encoded[from..<to])
        }
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// The recipients of an `email` target: `mailto:ops@example.com,dba@example.com`.
enum EmailRecipients {
    static func parse(_ target: String) -> [String]? {
        guard target.lowercased().hasPrefix("mailto:") else { return nil }
        let list = target.dropFirst("mailto:".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !list.isEmpty, list.count <= 20, list.allSatisfy(isAddress) else { return nil }
        return list
    }

    /// A deliberately plain address check: one `@`, no spaces, no angle brackets, no control characters, so that
    /// an address can go into `RCPT TO:<…>` and a header as it is.
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), text.utf8.count <= 254 else { return false }
        return text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"<>(),;:\\\"[]".unicodeScalars.contains($0) }
    }
}
