import Foundation

/// A version range in NuGet's interval notation, as Octopus clients send it in `versionRange=`:
/// `1.0` (1.0 or higher), `[1.0]` (exactly 1.0), `(1.0,)`, `[1.0,2.0)`, `(,1.0]`, `[1.0,)` …
/// Bounds compare with `PackageVersion`'s own order, so `[2022.06.20]` also matches `2022.6.20`: the range
/// means the same versions the feed's lists and `latest` mean.
public struct NuGetVersionRange: Sendable, Equatable, CustomStringConvertible {
    public struct Bound: Sendable, Equatable {
        public let version: PackageVersion
        public let inclusive: Bool
    }

    public let minimum: Bound?
    public let maximum: Bound?
    /// The text as sent, for messages.
    public let original: String

    public var description: String { original }

    /// True when a bound names a prerelease: NuGet then lets prereleases match without `includePreRelease`.
    public var mentionsPrerelease: Bool {
        minimum?.version.isPrerelease == true || maximum?.version.isPrerelease == true
    }

    public init(_ text: String) throws(IdentityError) {
        original = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func fail(_ why: String) -> IdentityError { .invalidVersionRange(text, why) }
        guard !trimmed.isEmpty else { throw fail("the range is empty") }
        guard !trimmed.contains("*") else { throw fail("floating versions (*) are not supported; use an interval such as [1.0,2.0)") }

        guard let first = trimmed.first, first == "[" || first == "(" else {
            // A bare version is NuGet's shorthand for "this version or higher".
            guard !trimmed.contains(where: { "[](),".contains($0) }) else {
                throw fail("an interval starts with [ or ( and ends with ] or ), like [1.0,2.0)")
            }
            minimum = Bound(version: try Self.version(String(trimmed), in: text), inclusive: true)
            maximum = nil
            return
        }
        guard let last = trimmed.last, last == "]" || last == ")", trimmed.count >= 2 else {
            throw fail("an interval ends with ] or ), like [1.0,2.0)")
        }
        let minimumInclusive = first == "[", maximumInclusive = last == "]"
        let inner = trimmed.dropFirst().dropLast()
        let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        switch parts.count {
        case 1:
            // `[1.0]` is exactly 1.0; `(1.0)`, `[1.0)` and `[]` mean nothing NuGet accepts.
            guard minimumInclusive, maximumInclusive, !parts[0].isEmpty else {
                throw fail("a single version in brackets must be inclusive on both sides, like [1.0]")
            }
            let version = try Self.version(parts[0], in: text)
            minimum = Bound(version: version, inclusive: true)
            maximum = Bound(version: version, inclusive: true)
        case 2:
            let low = try parts[0].isEmpty ? nil : Self.version(parts[0], in: text)
            let high = try parts[1].isEmpty ? nil : Self.version(parts[1], in: text)
            guard low != nil || high != nil else { throw fail("give at least one bound, like [1.0,) or (,2.0]") }
            if low == nil, minimumInclusive { throw fail("an open lower bound is written with (, like (,2.0]") }
            if high == nil, maximumInclusive { throw fail("an open upper bound is written with ), like [1.0,)") }
            if let low, let high {
                if high < low { throw fail("the lower bound \(low.original) is above the upper bound \(high.original)") }
                if low == high, !(minimumInclusive && maximumInclusive) {
                    throw fail("no version is both \(minimumInclusive ? "at least" : "above") and \(maximumInclusive ? "at most" : "below") \(low.original)")
                }
            }
            minimum = low.map { Bound(version: $0, inclusive: minimumInclusive) }
            maximum = high.map { Bound(version: $0, inclusive: maximumInclusive) }
        default:
            throw fail("an interval has at most two bounds separated by one comma, like [1.0,2.0)")
        }
    }

    /// Whether `version` lies in the range (prerelease policy is the caller's: see `mentionsPrerelease`).
    public func contains(_ version: PackageVersion) -> Bool {
        if let minimum {
            if version < minimum.version { return false }
            if !minimum.inclusive, version == minimum.version { return false }
        }
        if let maximum {
            if maximum.version < version { return false }
            if !maximum.inclusive, version == maximum.version { return false }
        }
        return true
    }

    private static func version(_ text: String, in range: String) throws(IdentityError) -> PackageVersion {
        do {
            return try PackageVersion(text)
        } catch {
            if case .invalidVersion(_, let why) = error { throw .invalidVersionRange(range, "bound '\(IdentityError.printable(text))': \(why)") }
            throw error
        }
    }
}
