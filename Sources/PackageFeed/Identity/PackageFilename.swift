/// Splits a pushed filename into package ID and version with Octopus's rule:
/// strip a known extension, then the last `.` followed by a version starts the version.
public struct PackageFilename: Sendable, Equatable {
    public let id: PackageID
    public let version: PackageVersion
    /// The extension that was stripped, with its leading dot (`.zip`), or empty.
    public let fileExtension: String

    public static let maxLength = 255

    /// Longest first, so that `.tar.gz` wins over `.gz`.
    public static let knownExtensions = [
        ".tar.bz2", ".tar.gz", ".tar.xz", ".tgz", ".tar", ".zip", ".nupkg", ".gz", ".bz2", ".xz", ".zst",
        ".sql", ".dump", ".sqlite", ".sqlite3", ".db", ".backup", ".bak",
    ]

    public init(_ filename: String) throws(IdentityError) {
        try IdentityError.checkCommon(filename, what: "filename")
        let lowered = filename.lowercased()
        let ext = Self.knownExtensions.first { lowered.hasSuffix($0) && lowered.count > $0.count } ?? ""
        let stem = String(filename.dropLast(ext.count))
        guard let (idText, versionText) = Self.split(stem) else {
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
        self.fileExtension = String(filename.suffix(ext.count))
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
