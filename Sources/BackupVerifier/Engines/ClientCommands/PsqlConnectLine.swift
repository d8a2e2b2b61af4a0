import Foundation

/// The one shape of `\connect` a restore follows: a database name, as pg_dump --create and pg_dumpall write it
/// (`\connect shop`, `\connect "Odd Name"`, `\connect -reuse-previous=on "dbname='Odd-Name'"`).
/// Anything that could reach another server or run something in psql (a user, host or port argument, a
/// conninfo or URI with any key but `dbname`, `-reuse-previous=off`, backticks, `:variables`) is refused:
/// the rewriter turns the accepted form into its own `\connect` to a sandbox database it named itself.
enum PsqlConnectLine {
    enum Parsed: Equatable {
        case database(String)
        case refused(String)
    }

    /// `line` is the whole meta-command line (`\connect …` or `\c …`), without its line ending.
    static func parse(_ line: String) -> Parsed {
        var text = Substring(line.trimmingCharacters(in: .whitespacesAndNewlines))
        guard text.hasPrefix("\\") else { return .refused("not a meta-command") }
        text = text.dropFirst().drop { !$0.isWhitespace }
        guard let tokens = tokenize(text) else {
            return .refused("its arguments cannot be read safely (unbalanced quotes, backticks or psql :variables)")
        }
        var arguments = tokens[...]
        if let first = arguments.first, first.text.hasPrefix("-reuse-previous"), !first.quoted {
            guard first.text == "-reuse-previous=on" else { return .refused("`\(first.text)` would take connection settings from elsewhere") }
            arguments = arguments.dropFirst()
        }
        guard let target = arguments.first else { return .refused("it names no database") }
        if arguments.count > 1 {
            return .refused("it names a user, host or port besides the database (`\(arguments.dropFirst().map(\.text).joined(separator: " "))`)")
        }
        if target.text.contains("://") { return .refused("a connection URI can name another server") }
        if target.text.contains("=") { return conninfo(target.text) }
        guard !target.text.isEmpty, target.text != "-" else { return .refused("it names no database") }
        return .database(target.text)
    }

    private struct Token { var text: String; var quoted: Bool }

    /// psql's splitting of meta-command arguments, for the quoting pg_dump uses; nil at anything psql would
    /// expand (backticks, `:name`) or that is unbalanced.
    private static func tokenize(_ text: Substring) -> [Token]? {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            if text[index].isWhitespace { index = text.index(after: index); continue }
            var token = ""
            var quoted = false
            while index < text.endIndex, !text[index].isWhitespace {
                let character = text[index]
                if character == "`" || character == ":" { return nil }
                if character == "\"" {
                    quoted = true
                    index = text.index(after: index)
                    var closed = false
                    while index < text.endIndex {
                        if text[index] == "\"" {
                            let next = text.index(after: index)
                            if next < text.endIndex, text[next] == "\"" { token.append("\""); index = text.index(after: next); continue }
                            index = next
                            closed = true
                            break
                        }
                        token.append(text[index])
                        index = text.index(after: index)
                    }
                    guard closed else { return nil }
                    continue
                }
                if character == "'" || character == "\\" { return nil }
                token.append(character)
                index = text.index(after: index)
            }
            tokens.append(Token(text: token, quoted: quoted))
        }
        return tokens
    }

    /// A conninfo string that holds `dbname` and nothing else.
    private static func conninfo(_ text: String) -> Parsed {
        var rest = Substring(text).drop { $0 == " " }
        guard rest.hasPrefix("dbname") else { return .refused("its connection string sets more than the database name") }
        rest = rest.dropFirst("dbname".count).drop { $0 == " " }
        guard rest.first == "=" else { return .refused("its connection string cannot be read") }
        rest = rest.dropFirst().drop { $0 == " " }
        var name = ""
        if rest.first == "'" {
            rest = rest.dropFirst()
            var closed = false
            while let character = rest.first {
                rest = rest.dropFirst()
                if character == "\\", let escaped = rest.first { name.append(escaped); rest = rest.dropFirst(); continue }
                if character == "'" { closed = true; break }
                name.append(character)
            }
            guard closed else { return .refused("its connection string has an unterminated quote") }
        } else {
            name = String(rest.prefix { $0 != " " })
            rest = rest.dropFirst(name.count)
        }
        guard rest.allSatisfy({ $0 == " " }) else {
            return .refused("its connection string sets more than the database name (`\(rest.trimmingCharacters(in: .whitespaces).prefix(40))`)")
        }
        guard !name.isEmpty else { return .refused("it names no database") }
        return .database(name)
    }
}
