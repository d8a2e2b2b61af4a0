import Foundation
import Logging
import Hummingbird
import PackageFeed

/// `/api/webhooks`: subscriptions and their delivery log; admin only, since a webhook sends package names and
/// verdicts to any URL.
struct WebhooksController {
    let catalog: Catalog
    /// Which receivers a webhook may name (`--allow-private-targets`).
    var targets = TargetAddressPolicy(allowPrivateTargets: false)
    /// Whether `email` targets can be delivered (`serve --smtp-url`).
    var emailEnabled = false

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.post("webhooks", use: create)
        api.get("webhooks", use: list)
        api.get("webhooks/:webhookId", use: show)
        api.delete("webhooks/:webhookId", use: delete)
        api.get("webhooks/:webhookId/deliveries", use: deliveries)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        let body = try await request.body.collect(upTo: 64 * 1024)
        let subscription = try WebhookSubscription.decode(Data(body.readableBytesView), targets: targets, emailEnabled: emailEnabled)
        let webhook = try await catalog.createWebhook(
            kind: subscription.kind.rawValue, url: subscription.url, events: subscription.events, secret: subscription.secret)
        context.logger.info(
            "webhook created", metadata: ["webhook": "\(webhook.id ?? 0)", "kind": "\(webhook.kind)", "events": "\(webhook.events)"])
        return try JSONResponse.make(WebhookResponse(webhook), status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        return try JSONResponse.make(WebhookListResponse(items: try await catalog.webhooks().map(WebhookResponse.init)))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        return try JSONResponse.make(WebhookResponse(try await webhook(context)))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        let id = try await webhook(context).id ?? 0
        guard try await catalog.deleteWebhook(id: id) else { throw notFound(context) }
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        let id = try await webhook(context).id ?? 0
        let (skip, take) = try request.pagingParameters()
        let (records, total) = try await catalog.deliveries(webhookId: id, skip: skip, take: take)
        return try JSONResponse.make(PageResponse(items: records.map(WebhookDeliveryResponse.init), total: total, skip: skip, take: take))
    }

    private func webhook(_ context: AppRequestContext) async throws -> WebhookRecord {
        guard let id = Int64(try context.parameters.require("webhookId")), let webhook = try await catalog.webhook(id: id) else {
            throw notFound(context)
        }
        return webhook
    }

    private func notFound(_ context: AppRequestContext) -> APIError {
        APIError(status: .notFound, message: "webhook \(context.parameters.get("webhookId") ?? "") not found")
    }
}
