import Foundation
import Logging
import PackageFeed

/// What one retention pass did (or, in a dry run, would do).
struct RetentionResult: Codable, Sendable {
    struct Deleted: Codable, Sendable {
        var package: String
        var version: String
        var size: Int64
        var reason: String
    }

    struct HeldBack: Codable, Sendable {
        var package: String
        var reason: String
    }

    var dryRun: Bool
    var deleted: [Deleted]
    var heldBack: [HeldBack]
    /// Blob files removed (or that would be): bytes no longer used by any version.
    var blobsRemoved: Int
    var bytesFreed: Int64
}

/// Applies every package's retention policy, then removes the blobs no version uses any more.
struct RetentionRunner: Sendable {
    let feed: PackageFeed
    let logger: Logger

    func apply(dryRun: Bool, now: Date = Date()) async throws -> RetentionResult {
        let policies = try await PolicyStore(catalog: feed.catalog).operationsPolicies()
        var result = RetentionResult(dryRun: dryRun, deleted: [], heldBack: [], blobsRemoved: 0, bytesFreed: 0)
        var going: [VersionRecord] = []
        for package in try await feed.catalog.allPackages() {
            guard let retention = policies[package.key]?.retention else { continue }
            let plan = RetentionPlanner(policy: retention, now: now).plan(try await feed.catalog.versionsWithVerdicts(packageKey: package.key))
            if let reason = plan.heldBack { result.heldBack.append(.init(package: package.display, reason: reason)) }
            for (version, reason) in plan.delete {
                result.deleted.append(.init(package: package.display, version: version.version, size: version.size, reason: reason))
                going.append(version)
            }
        }
        let freed = try await blobsFreed(by: going)
        if dryRun {
            let unused = try await feed.removeUnusedBlobs(dryRun: true)
            result.blobsRemoved = freed.count + unused.count
            result.bytesFreed = freed.bytes + unused.bytes
            return result
        }
        for version in going {
            // A version deleted by someone else meanwhile is simply gone already.
            guard let id = try? PackageID(version.packageKey), let parsed = version.parsedVersion else { continue }
            _ = try? await feed.delete(id, parsed)
            logger.notice("retention deleted a version", metadata: ["package": "\(version.packageKey)", "version": "\(version.version)"])
        }
        let unused = try await feed.removeUnusedBlobs(dryRun: false)
        result.blobsRemoved = freed.count + unused.count
        result.bytesFreed = freed.bytes + unused.bytes
        return result
    }

    /// Blobs used only by versions that are going (each counted once), with their sizes.
    private func blobsFreed(by versions: [VersionRecord]) async throws -> (count: Int, bytes: Int64) {
        let uses = try await feed.catalog.blobUseCounts()
        var going: [String: (count: Int, size: Int64)] = [:]
        for version in versions { going[version.sha256, default: (0, version.size)].count += 1 }
        let freed = going.filter { uses[$0.key] == $0.value.count }
        return (freed.count, freed.values.reduce(0) { $0 + $1.size })
    }
}
