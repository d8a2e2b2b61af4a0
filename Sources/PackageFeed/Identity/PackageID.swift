/// A package ID as pushed (`PetClinicDB`): compared case-insensitively, displayed as first pushed.
public struct PackageID: Sendable, Hashable, CustomStringConvertible {
    /// The ID as the client wrote it.
    public let display: String
    /// The case-folded form used for comparison and as the catalog key; never a filesystem path.
    public let key: String

    public static let maxLength = 100

    /// Validates an ID given on its own (URL path segment), with the same rule as the filename pattern.
    public init(_ text: String) throws(IdentityError) {
        try IdentityError.checkCommon(text, what: "package ID")
        guard PackageFilename.isValidID(text) else {
            throw .invalidID(text, "must be letters, digits or underscores, optionally separated by single '.', '-' or '_'")
        }
        self.display = text
        self.key = text.lowercased()
    }

    public var description: String { display }

    public static func == (lhs: PackageID, rhs: PackageID) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
}
