import BackupVerifier
import Foundation
import Hummingbird
import PackageFeed

/// Signed restore receipts and the public keys that check them.
struct ReceiptsController {
    let feed: PackageFeed
    let writer: ReceiptWriter
    let privateMetadata: Bool

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get("verifications/:verificationId/receipt", use: receipt)
        api.get("receipts/keys", use: keys)
    }

    /// The DSSE envelope, exactly as stored when the verification finished. A verification that finished before
    /// receipts existed is signed on first request (from its stored report), then stays as it is.
    @Sendable func receipt(_ request: Request, context: AppRequestContext) async throws -> Response {
        if privateMetadata { try context.require(.read) }
        let raw = try context.parameters.require("verificationId")
        guard let jobId = Int64(raw), let job = try await feed.catalog.job(id: jobId),
              let version = try await feed.catalog.version(id: job.versionId)
        else { throw APIError(status: .notFound, message: "verification \(raw) not found") }
        if let stored = try await feed.catalog.receipt(verificationId: jobId) { return envelopeResponse(stored.envelope) }
        guard let finishedAt = job.finishedAt, let json = job.report,
              let report = try? JSONDecoder.reports.decode(VerificationReport.self, from: Data(json.utf8))
        else { throw APIError(status: .conflict, message: "verification \(raw) has not finished yet: a receipt is signed when it does") }
        let display = try await feed.catalog.package(key: version.packageKey)?.display ?? version.packageKey
        let compared = try await feed.catalog.lastPassedJob(packageKey: version.packageKey, excludingVersionId: version.id!)?.1.version
        let stored = try await writer.write(FeedEvent.FinishedVerification(
            packageId: display, version: version.version, verificationId: jobId, report: report, finishedAt: finishedAt,
            filename: version.filename, sha256: version.sha256, startedAt: job.startedAt, comparedWith: compared))
        return envelopeResponse(stored.envelope)
    }

    @Sendable func keys(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONResponse.make(ReceiptKeysResponse(keys: try writer.keyring.publicKeys()))
    }

    private func envelopeResponse(_ envelope: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json", .contentDisposition: "attachment; filename=\"receipt.dsse.json\""],
            body: .init(byteBuffer: ByteBuffer(string: envelope)))
    }
}

struct ReceiptKeysResponse: Encodable {
    var keys: [ReceiptKeyring.PublicKeyInfo]
}
