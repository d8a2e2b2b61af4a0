import Foundation

/// A page as a person sees it: the DOM Chromium dumped, reduced to visible text and table rows.
struct Page {
    let html: String

    /// The <main> element only: what the page rendered, not the static shell.
    var main: String {
        guard let start = html.range(of: "<main"), let end = html.range(of: "</main>", range: start.upperBound..<html.endIndex) else { return "" }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// The text of <main>, tags removed, entities decoded, whitespace collapsed.
    var text: String { Self.text(of: main) }

    /// The text of each table row inside <main>, in document order.
    var rows: [String] {
        Self.matches(of: "<tr[^>]*>(.*?)</tr>", in: main).map(Self.text(of:))
    }

    /// The first row whose text contains `needle`.
    func row(containing needle: String) -> String? {
        rows.first { $0.contains(needle) }
    }

    /// Elements of this tag name that the page's scripts created inside <main>.
    func elements(_ tag: String) -> [String] {
        Self.matches(of: "(<\(tag)[\\s>/][^>]*>)", in: main)
    }

    var title: String {
        Self.matches(of: "<title>(.*?)</title>", in: html).first.map(Self.text(of:)) ?? ""
    }

    /// True once app.js finished rendering (it marks <main data-ready>).
    var isReady: Bool { main.contains("data-ready=\"true\"") }

    static func text(of fragment: String) -> String {
        var text = fragment.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression).trimmingCharacters(in: .whitespaces)
    }

    static func matches(of pattern: String, in string: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators, .caseInsensitive]) else { return [] }
        let range = NSRange(string.startIndex..., in: string)
        return regex.matches(in: string, range: range).compactMap { Range($0.range(at: 1), in: string).map { String(string[$0]) } }
    }
}
