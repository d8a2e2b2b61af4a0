/// `Content-Disposition: attachment` for a stored filename.
///
/// Header values are bytes without a charset, so a name like `Bücher.1.0.0.zip` written as it is reaches each client
/// differently (Latin-1, mojibake, or refused). RFC 6266 gives the name as `filename*=UTF-8''…` (RFC 8187
/// percent-encoding), which browsers and curl `-OJ` decode, and keeps a plain-ASCII `filename="…"` first for
/// clients that know only that.
enum ContentDisposition {
    static func attachment(filename: String) -> String {
        let fallback = asciiFallback(filename)
        if fallback == filename { return "attachment; filename=\"\(filename)\"" }
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(percentEncoded(filename))"
    }

    /// The name with every byte that is not printable ASCII, and `"` and `\` (which would end or escape the quoted
    /// string), replaced by `_`; one `_` per character, so that the extension stays where it was.
    static func asciiFallback(_ filename: String) -> String {
        String(filename.map { character -> Character in
            guard let ascii = character.asciiValue, (0x20..<0x7F).contains(ascii), character != "\"", character != "\\" else {
                return "_"
            }
            return character
        })
    }

    /// RFC 8187 `value-chars`: `attr-char`s as they are, every other UTF-8 byte as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            if isAttrChar(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0F, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    private static func isAttrChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$&+-.^_`|~".utf8.contains(byte)
        }
    }
}
