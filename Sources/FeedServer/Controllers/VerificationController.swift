import BackupVerifier
import Foundation
import Hummingbird
import PackageFeed

/// Verification history, single reports, "verify again", and package policies.
struct VerificationController {
    let feed: PackageFeed
    let signal: VerificationSignal
    let privateMetadata: Bool

    func addRoutes(packages: RouterGroup<AppRequestContext>, api: RouterGroup<AppRequestContext>) {
        packages.get(":id/policy", use: policy)
        packages.put(":id/policy", use: setPolicy)
        packages.get(":id/:version/verifications", use: history)
        packages.post(":id/:version/verifications", use: enqueue)
        api.get("verifications/:verificationId", use: report)
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        if privateMetadata { try context.require(.read) }
        let id = try context.parameters.packageID()
        let version = try await feed.version(id, try context.parameters.packageVersion())
        var reports: [VerificationReportResponse] = []
        for job in try await feed.catalog.jobs(versionId: version.id!) {
            reports.append(try await response(for: job, version: version))
        }
        return try JSONResponse.make(reports)
    }

    @Sendable func enqueue(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.push)
        let id = try context.parameters.packageID()
        let version = try await feed.version(id, try context.parameters.packageVersion())
        let job = try await feed.catalog.enqueueVerification(versionId: version.id!)
        await signal.notify()
        return try JSONResponse.make(try await response(for: job, version: version), status: .created)
    }

    @Sendable func report(_ request: Request, context: AppRequestContext) async throws -> Response {
        if privateMetadata { try context.require(.read) }
        guard let jobId = Int64(try context.parameters.require("verificationId")),
            let job = try await feed.catalog.job(id: jobId),
            let version = try await feed.catalog.version(id: job.versionId)
        else {
            throw APIError(status: .notFound, message: "verification \(context.parameters.get("verificationId") ?? "") not found")
        }
        return try JSONResponse.make(try await response(for: job, version: version))
    }

    @Sendable func policy(_ request: Request, context: AppRequestContext) async throws -> Response {
        if privateMetadata { try context.require(.read) }
        let id = try context.parameters.packageID()
        return try JSONResponse.make(try await PolicyStore(catalog: feed.catalog).packagePolicy(for: id.key))
    }

    @Sendable func setPolicy(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        let id = try context.parameters.packageID()
        let body = try await request.body.collect(upTo: 256 * 1024)
        let policy = try PolicyStore.decode(Data(body.readableBytesView))
        try await PolicyStore(catalog: feed.catalog).save(policy, for: id.key)
        return try JSONResponse.make(policy)
    }

    private func response(for job: VerificationJobRecord, version: VersionRecord) async throws -> VerificationReportResponse {
        let display = try await feed.catalog.package(key: version.packageKey)?.display ?? version.packageKey
        let previous = try await feed.catalog.lastPassedJob(packageKey: version.packageKey, excludingVersionId: version.id!)
            .flatMap { $0.0.report }
            .flatMap { try? JSONDecoder.reports.decode(VerificationReport.self, from: Data($0.utf8)) }
        return VerificationReportResponse(job: job, version: version, display: display, previous: previous)
    }
}
