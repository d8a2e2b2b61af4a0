/// A package version: 1 to 4 numeric parts, optional SemVer 2 prerelease and build metadata.
/// Ordering compares numeric parts by value (`06` == `6`, `1.0` == `1.0.0`), then release > prerelease,
/// then prerelease identifiers per SemVer 2; build metadata is ignored.
public struct PackageVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The version as the client wrote it, kept for display and filenames.
    public let original: String
    public let numbers: [UInt64]
    public let prerelease: [String]
    public let build: String?

    public var isPrerelease: Bool { !prerelease.isEmpty }

    /// The identity of a version: two versions with the same key are the same version of a package
    /// (`1.0` and `1.0.0`, `2022.06.20` and `2022.6.20`). Prerelease compared case-insensitively as NuGet does.
    public var key: String {
        var parts = numbers
        while parts.count > 1, parts.last == 0 { parts.removeLast() }
        var text = parts.map(String.init).joined(separator: ".")
        if isPrerelease { text += "-" + prerelease.joined(separator: ".").lowercased() }
        return text
    }

    public var description: String { original }

    public init(_ text: String) throws(IdentityError) {
        guard !text.isEmpty else { throw .invalidVersion(text, "version is empty") }
        guard text.count <= 64 else { throw .invalidVersion(text, "longer than 64 characters") }
        var rest = Substring(text)
        var build: String?
        if let plus = rest.firstIndex(of: "+") {
            let meta = rest[rest.index(after: plus)...]
            guard Self.validIdentifiers(meta, numericLeadingZeroAllowed: true) else {
                throw .invalidVersion(text, "build metadata must be dot-separated [0-9A-Za-z-] identifiers")
            }
            build = String(meta)
            rest = rest[..<plus]
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            let pre = rest[rest.index(after: dash)...]
            guard Self.validIdentifiers(pre, numericLeadingZeroAllowed: true) else {
                throw .invalidVersion(text, "prerelease must be dot-separated [0-9A-Za-z-] identifiers")
            }
            prerelease = pre.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            rest = rest[..<dash]
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else {
            throw .invalidVersion(text, "must have 1 to 4 numeric parts, like 2022.06.20 or 1.2.3")
        }
        var numbers: [UInt64] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .invalidVersion(text, "'\(part)' is not a number")
            }
            guard let value = UInt64(part) else { throw .invalidVersion(text, "'\(part)' is too large") }
            numbers.append(value)
        }
        self.original = text
        self.numbers = numbers
        self.prerelease = prerelease
        self.build = build
    }

    private static func validIdentifiers(_ text: Substring, numericLeadingZeroAllowed: Bool) -> Bool {
        let identifiers = text.split(separator: ".", omittingEmptySubsequences: false)
        return !identifiers.isEmpty && identifiers.allSatisfy { id in
            !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    public static func == (lhs: PackageVersion, rhs: PackageVersion) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    public static func < (lhs: PackageVersion, rhs: PackageVersion) -> Bool {
        for index in 0..<4 {
            let left = index < lhs.numbers.count ? lhs.numbers[index] : 0
            let right = index < rhs.numbers.count ? rhs.numbers[index] : 0
            if left != right { return left < right }
        }
        switch (lhs.isPrerelease, rhs.isPrerelease) {
        case (false, false): return false
        case (true, false): return true
        case (false, true): return false
        case (true, true): return comparePrerelease(lhs.prerelease, rhs.prerelease)
        }
    }

    /// SemVer 2 §11: numeric identifiers compare numerically and sort before alphanumeric ones;
    /// a shorter list that is a prefix of a longer one sorts first.
    private static func comparePrerelease(_ lhs: [String], _ rhs: [String]) -> Bool {
        for (left, right) in zip(lhs, rhs) {
            let leftNumber = UInt64(left), rightNumber = UInt64(right)
            switch (leftNumber, rightNumber) {
            case let (l?, r?) where l != r: return l < r
            case (nil, _?): return false
            case (_?, nil): return true
            case (nil, nil):
                let l = left.lowercased(), r = right.lowercased()
                if l != r { return l < r }
            default: continue
            }
        }
        return lhs.count < rhs.count
    }
}
