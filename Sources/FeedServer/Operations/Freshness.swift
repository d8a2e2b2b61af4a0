import Foundation
import PackageFeed

/// Whether a package still has a recent proven backup, under its policy's `maxAgeHours`.
public struct Freshness: Codable, Sendable, Equatable {
    public var maxAgeHours: Double
    /// When a version of the package last passed verification; nil when none ever did.
    public var lastVerifiedAt: Date?
    public var stale: Bool

    /// A package that never passed is measured from when it was created, so that a new package gets
    /// `maxAgeHours` to prove its first backup before it is called stale.
    public static func evaluate(maxAgeHours: Double, lastVerifiedAt: Date?, packageCreatedAt: Date, now: Date) -> Freshness {
        let reference = lastVerifiedAt ?? packageCreatedAt
        return Freshness(maxAgeHours: maxAgeHours, lastVerifiedAt: lastVerifiedAt, stale: now.timeIntervalSince(reference) > maxAgeHours * 3600)
    }
}

/// Freshness of the packages whose policy sets `maxAgeHours`, read from the catalog in a few queries.
struct FreshnessReader: Sendable {
    let catalog: Catalog

    /// By package key; packages without `maxAgeHours` are absent.
    func freshness(of packages: [PackageRecord], now: Date = Date()) async throws -> [String: Freshness] {
        let policies = try await PolicyStore(catalog: catalog).operationsPolicies()
        let watched = packages.filter { policies[$0.key]?.maxAgeHours != nil }
        guard !watched.isEmpty else { return [:] }
        let lastPassed = try await catalog.lastPassedAt(packageKeys: watched.map(\.key))
        var result: [String: Freshness] = [:]
        for package in watched {
            guard let maxAgeHours = policies[package.key]?.maxAgeHours else { continue }
            result[package.key] = Freshness.evaluate(
                maxAgeHours: maxAgeHours, lastVerifiedAt: lastPassed[package.key], packageCreatedAt: package.createdAt, now: now)
        }
        return result
    }

    /// Every package with a freshness policy (for the operations loop and the metrics).
    func all(now: Date = Date()) async throws -> [(package: PackageRecord, freshness: Freshness)] {
        let packages = try await catalog.allPackages()
        let freshness = try await self.freshness(of: packages, now: now)
        return packages.compactMap { package in freshness[package.key].map { (package, $0) } }
    }
}
