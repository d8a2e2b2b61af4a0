/// Why a package ID, version or filename was refused. Always the client's mistake (HTTP 400).
public enum IdentityError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidID(String, String)
    case invalidVersion(String, String)
    case invalidFilename(String, String)
    case invalidVersionRange(String, String)

    public var description: String {
        switch self {
        case .invalidID(let text, let why): "invalid package ID '\(Self.printable(text))': \(why)"
        case .invalidVersion(let text, let why): "invalid version '\(Self.printable(text))': \(why)"
        case .invalidFilename(let text, let why): "invalid package filename '\(Self.printable(text))': \(why)"
        case .invalidVersionRange(let text, let why): "invalid versionRange '\(Self.printable(text))': \(why)"
        }
    }

    /// Control characters are escaped so that an error message never carries them back verbatim.
    public static func printable(_ text: String) -> String {
        let limited = text.count > 120 ? String(text.prefix(120)) + "…" : text
        return limited.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }.joined()
    }

    /// The checks shared by IDs and filenames, with messages that say what is wrong.
    static func checkCommon(_ text: String, what: String) throws(IdentityError) {
        let make: (String) -> IdentityError = what == "package ID" ? { .invalidID(text, $0) } : { .invalidFilename(text, $0) }
        if text.isEmpty { throw make("\(what) is empty") }
        if text.unicodeScalars.contains(where: { $0.value == 0 }) { throw make("contains a NUL byte") }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw make("contains control characters")
        }
        if text.contains("/") || text.contains("\\") { throw make("must not contain '/' or '\\'") }
        if text.contains("..") { throw make("must not contain '..'") }
        if text.contains(where: \.isWhitespace) { throw make("must not contain spaces") }
        let limit = what == "package ID" ? PackageID.maxLength : PackageFilename.maxLength
        if text.count > limit { throw make("longer than \(limit) characters") }
    }
}
