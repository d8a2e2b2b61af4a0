import Foundation
import PackageFeed

/// `expectEvery`: how often a package's backup job is expected to push (`26h`, `90m`, `7d`, `30s`; a bare
/// number is hours). Distinct from freshness: overdue means *no new backup arrived*, stale means *no backup was
/// proven* — a broken cron job is the first, a backup that stopped restoring the second.
public enum ExpectEvery {
    /// Seconds, or nil when `text` is not a duration.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let scale = units[unit], let value = Double(trimmed.dropLast()), value > 0, value.isFinite { return value * scale }
        if let hours = Double(trimmed), hours > 0, hours.isFinite { return hours * 3600 }
        return nil
    }
}

/// Whether a package's newest version is older than its policy's `expectEvery`.
public struct Arrival: Codable, Sendable, Equatable {
    public var expectEvery: String
    /// When the newest version was published; nil when the package has none.
    public var lastArrivalAt: Date?
    public var overdue: Bool

    /// A package with no version is measured from when it was created.
    static func evaluate(expectEvery: String, seconds: Double, lastArrivalAt: Date?, packageCreatedAt: Date, now: Date) -> Arrival {
        let reference = lastArrivalAt ?? packageCreatedAt
        return Arrival(expectEvery: expectEvery, lastArrivalAt: lastArrivalAt, overdue: now.timeIntervalSince(reference) > seconds)
    }
}

/// Arrivals of the packages whose policy sets `expectEvery`, in a few catalog queries.
struct ArrivalReader: Sendable {
    let catalog: Catalog

    /// By package key; packages without `expectEvery` are absent.
    func arrivals(of packages: [PackageRecord], now: Date = Date()) async throws -> [String: Arrival] {
        let policies = try await PolicyStore(catalog: catalog).operationsPolicies()
        let watched = packages.filter { policies[$0.key]?.expectEvery != nil }
        guard !watched.isEmpty else { return [:] }
        let published = try await catalog.lastPublishedAt(packageKeys: watched.map(\.key))
        var result: [String: Arrival] = [:]
        for package in watched {
            guard let text = policies[package.key]?.expectEvery, let seconds = ExpectEvery.seconds(text) else { continue }
            result[package.key] = Arrival.evaluate(
                expectEvery: text, seconds: seconds, lastArrivalAt: published[package.key], packageCreatedAt: package.createdAt, now: now)
        }
        return result
    }

    func all(now: Date = Date()) async throws -> [(package: PackageRecord, arrival: Arrival)] {
        let packages = try await catalog.allPackages()
        let arrivals = try await self.arrivals(of: packages, now: now)
        return packages.compactMap { package in arrivals[package.key].map { (package, $0) } }
    }
}
