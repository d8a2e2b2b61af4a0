/// Splits a pushed filename into package ID and version with Octopus's rule:
/// strip a known extension (compound ones too: `.sql.gz`, `.tar.zst`, `.dump.gpg`), then the first `.` followed
/// by a whole version starts the version.
public struct PackageFilename: Sendable, Equatable {
    public let id: PackageID
    public let version: PackageVersion
    /// The extension that was stripped, with its leading dot (`.zip`), or empty.
    public let fileExtension: String

    public static let maxLength = 255

    /// What a backup file is: an archive or a dump format. Longest first, so that `.tar.gz` wins over `.gz`.
    public static let baseExtensions = [
        ".tar.bz2", ".tar.gz", ".tar.xz", ".tar.zst", ".tar.lz4", ".tgz", ".tar", ".zip", ".nupkg",
        ".sql", ".dump", ".pgdump", ".sqlite", ".sqlite3", ".db", ".backup", ".bak",
    ]
    /// What a backup script wraps a file in, any number of times, outermost last: compression, then encryption
    /// (`.sql.gz`, `.dump.zst`, `.sql.gz.age`, `.tar.zst.gpg`). Alone (`.gz`) they are a whole extension too.
    public static let wrapperExtensions = [".gz", ".zst", ".zstd", ".xz", ".bz2", ".lz4", ".age", ".gpg", ".pgp", ".enc"]

    /// Every single extension understood, for the `?extension=` of a raw push and error messages.
    public static let knownExtensions = baseExtensions + wrapperExtensions

    public init(_ filename: String) throws(IdentityError) {
        try IdentityError.checkCommon(filename, what: "filename")
        let ext = Self.extensionLength(of: filename)
        let stem = String(filename.dropLast(ext))
        guard let (idText, versionText) = Self.split(stem) else {
            if let unknown = Self.unknownExtension(filename) {
                throw .invalidFilename(
                    filename,
                    "unknown extension \(unknown): use one of \(Self.baseExtensions.joined(separator: " ")), optionally followed by \(Self.wrapperExtensions.joined(separator: " ")) (like PetClinicDB.2022.06.20.sql.gz)"
                )
            }
            throw .invalidFilename(
                filename,
                "expected <PackageId>.<Version><extension>, like PetClinicDB.2022.06.20.zip"
            )
        }
        guard idText.count <= PackageID.maxLength else {
            throw .invalidFilename(filename, "package ID longer than \(PackageID.maxLength) characters")
        }
        self.id = try PackageID(idText)
        self.version = try PackageVersion(versionText)
        self.fileExtension = String(filename.suffix(ext))
    }

    /// Whether `ext` (with its dot) is an extension this feed understands, compound ones included.
    public static func isKnownExtension(_ ext: String) -> Bool {
        let lowered = ext.lowercased()
        return lowered.hasPrefix(".") && extensionLength(of: "x" + lowered) == lowered.count
    }

    /// Length of the known (compound) extension at the end of `filename`: wrappers from the end inwards, then at
    /// most one base extension, always leaving a non-empty stem. Compared case-insensitively.
    static func extensionLength(of filename: String) -> Int {
        var rest = filename.lowercased()
        var length = 0
        func strip(_ candidates: [String]) -> Bool {
            guard let match = candidates.first(where: { rest.hasSuffix($0) && rest.count > $0.count }) else { return false }
            rest.removeLast(match.count)
            length += match.count
            return true
        }
        // A version can end in digits only, never in a wrapper's letters: strip every wrapper, then one base.
        while strip(wrapperExtensions) {}
        _ = strip(baseExtensions)
        return length
    }

    /// The last `.word` of a name whose stem would be a valid `<id>.<version>` without it (`Db.1.0.rar` → `.rar`).
    static func unknownExtension(_ filename: String) -> String? {
        guard let dot = filename.lastIndex(of: "."), dot != filename.startIndex else { return nil }
        let ext = String(filename[dot...])
        guard ext.count > 1, ext.dropFirst().allSatisfy({ $0.isLetter || $0.isNumber }),
              ext.dropFirst().contains(where: \.isLetter) else { return nil }
        let stem = String(filename[..<dot])
        let inner = String(stem.dropLast(extensionLength(of: stem)))
        return split(inner) != nil ? String(filename.suffix(filename.count - inner.count)) : nil
    }

    /// Octopus's pattern, `^(?<id>\w+([_.-]\w+)*?)\.(?<version>\d+(\.\d+){0,3}(-…)?(\+…)?)$`: the lazy ID means the
    /// version starts at the first `.` after which the rest is a whole valid version.
    static func split(_ stem: String) -> (String, String)? {
        var index = stem.startIndex
        while let dot = stem[index...].firstIndex(of: ".") {
            let idText = String(stem[..<dot])
            let versionText = String(stem[stem.index(after: dot)...])
            if isValidID(idText), versionText.first?.isNumber == true, (try? PackageVersion(versionText)) != nil {
                return (idText, versionText)
            }
            index = stem.index(after: dot)
        }
        return nil
    }

    /// `\w+([_.-]\w+)*`: word characters in runs separated by single `_`, `.` or `-`.
    static func isValidID(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        var previousWasSeparator = true
        for character in text {
            if character == "." || character == "-" {
                if previousWasSeparator { return false }
                previousWasSeparator = true
            } else if character == "_" || character.isLetter || character.isNumber {
                previousWasSeparator = false
            } else {
                return false
            }
        }
        return !previousWasSeparator
    }
}
