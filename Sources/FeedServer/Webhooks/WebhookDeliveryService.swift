import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PackageFeed
import ServiceLifecycle
import Synchronization

/// Delivers the webhook outbox. Each webhook's deliveries go out strictly in order (the next waits until the previous
/// one is delivered or given up); different webhooks do not wait for each other. The outbox lives in the catalog, so
/// after a restart the pending deliveries simply continue. On graceful shutdown the attempts in flight are cancelled
/// and stay pending: they are sent again after the restart (receivers deduplicate on `X-BackupFeed-Delivery`).
public struct WebhookDeliveryService: Service {
    let catalog: Catalog
    let signal: WebhookSignal
    let retry: WebhookRetry
    let logger: Logger
    /// Which receivers deliveries may reach; checked again at each attempt, after DNS (`--allow-private-targets`).
    var targets = TargetAddressPolicy(allowPrivateTargets: false)
    /// The relay of `email` targets; nil when the server has none (their deliveries then fail, saying so).
    var mailer: SMTPMailer? = nil

    /// The longest the loop sleeps without being woken; only a safety net, since every enqueue and every finished
    /// attempt wakes it.
    static let pollInterval: Duration = .seconds(30)

    public func run() async throws {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration())
        await cancelWhenGracefulShutdown { await dispatch(client: client) }
        try? await client.shutdown()
    }

    private func clientConfiguration(dnsOverride: [String: String] = [:]) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            // A redirect is an answer other than 2xx, not something to follow with a signed body (nor a way around
            // the address check).
            redirectConfiguration: .disallow,
            timeout: .init(connect: Self.timeAmount(retry.attemptTimeout), read: Self.timeAmount(retry.attemptTimeout))
        )
        // A refused connection is a failed attempt with our own backoff, not something to retry until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.dnsOverride = dnsOverride
        return configuration
    }

    /// Sends `request` to the address the target policy checked: with a pinned address, through a client of its own
    /// (the shared one's pool would reuse connections made to whatever the name resolved to before).
    private func send(_ request: HTTPClientRequest, url: String, client: HTTPClient) async throws -> Int {
        let pinned = try await targets.pinnedDNSOverride(for: url)
        let response: HTTPClientResponse
        if pinned.isEmpty {
            response = try await client.execute(request, timeout: Self.timeAmount(retry.attemptTimeout))
            // Read (and drop) the answer so that the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return Int(response.status.code)
        }
        let own = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration(dnsOverride: pinned))
        do {
            response = try await own.execute(request, timeout: Self.timeAmount(retry.attemptTimeout))
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {
            try? await own.shutdown()
            throw error
        }
        try? await own.shutdown()
        return Int(response.status.code)
    }

    /// Starts the due head of each webhook that has no attempt in flight, then sleeps until woken or until the
    /// earliest retry is due.
    private func dispatch(client: HTTPClient) async {
        let inFlight = InFlightWebhooks()
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                var nextDue: Date?
                do {
                    let now = Date()
                    for delivery in try await catalog.nextPendingDeliveries() {
                        let due = delivery.nextAttemptAt ?? now
                        guard due <= now else {
                            nextDue = min(nextDue ?? due, due)
                            continue
                        }
                        guard inFlight.start(delivery.webhookId) else { continue }
                        group.addTask {
                            await attempt(deliveryId: delivery.id!, client: client)
                            inFlight.end(delivery.webhookId)
                            await signal.notify()
                        }
                    }
                } catch {
                    logger.error("could not read the webhook outbox", metadata: ["error": "\(error)"])
                    nextDue = Date().addingTimeInterval(5)
                }
                let sleep = nextDue.map { Duration.milliseconds(max(1, Int64($0.timeIntervalSinceNow * 1000))) } ?? Self.pollInterval
                await signal.wait(timeout: min(sleep, Self.pollInterval))
            }
        }
    }

    /// One attempt of one delivery; records the outcome unless shutdown cut it short.
    private func attempt(deliveryId: Int64, client: HTTPClient) async {
        // Read again now that this webhook is marked in flight: the loop's read may predate the end of the previous
        // attempt, which could have delivered it or scheduled a retry since.
        let delivery: WebhookDeliveryRecord, webhook: WebhookRecord
        do {
            guard let current = try await catalog.delivery(id: deliveryId), current.status == .pending,
                (current.nextAttemptAt ?? .distantPast) <= Date(),
                // Deleted since it was read: its deliveries went with it.
                let owner = try await catalog.webhook(id: current.webhookId)
            else { return }
            (delivery, webhook) = (current, owner)
        } catch {
            logger.error("could not read a webhook delivery", metadata: ["delivery": "\(deliveryId)", "error": "\(error)"])
            // Not at once again: the loop is woken when this returns.
            try? await Task.sleep(for: .seconds(5))
            return
        }
        let kind = NotificationKind(rawValue: webhook.kind) ?? .webhook
        let statusCode: Int?
        let failure: String?
        do {
            if kind == .email {
                try await sendMail(delivery, webhook: webhook)
                (statusCode, failure) = (250, nil)
            } else {
                let request = try Self.request(kind: kind, delivery: delivery, webhook: webhook)
                let code = try await send(request, url: request.url, client: client)
                statusCode = code
                failure = (200..<300).contains(code) ? nil : "HTTP \(code) \(HTTPResponseStatus(statusCode: code).reasonPhrase)"
            }
        } catch let refused as TargetRefused {
            statusCode = nil
            failure = "refused target: \(refused.reason) (--allow-private-targets allows it)"
        } catch {
            if Task.isCancelled {
                logger.debug("webhook delivery interrupted by shutdown; sent again after the restart", metadata: ["delivery": "\(deliveryId)"])
                return
            }
            statusCode = nil
            failure = describe(error)
        }
        let host = kind == .email ? mailer?.configuration.host ?? "smtp" : URLComponents(string: webhook.url)?.host ?? "?"
        await record(delivery, statusCode: statusCode, failure: failure, host: host)
    }

    /// The HTTP request of a delivery: the signed payload for a webhook, or the payload rendered for the channel.
    static func request(kind: NotificationKind, delivery: WebhookDeliveryRecord, webhook: WebhookRecord) throws -> HTTPClientRequest {
        var url = webhook.url
        var body = delivery.payload
        var contentType = "application/json"
        switch kind {
        case .webhook, .email: break
        case .slack: body = String(decoding: try SlackMessage.body(NotificationContent.decode(delivery.payload)), as: UTF8.self)
        case .teams: body = String(decoding: try TeamsCard.body(NotificationContent.decode(delivery.payload)), as: UTF8.self)
        case .healthchecks:
            let content = try NotificationContent.decode(delivery.payload)
            url = HealthchecksPing.url(base: webhook.url, content: content)
            body = HealthchecksPing.body(content)
            contentType = "text/plain; charset=utf-8"
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: "BackupFeed-Webhook")
        request.headers.add(name: "X-BackupFeed-Event", value: delivery.event)
        request.headers.add(name: "X-BackupFeed-Delivery", value: String(delivery.id ?? 0))
        if kind == .webhook, let secret = webhook.secret {
            request.headers.add(name: WebhookSignature.headerName, value: WebhookSignature.header(secret: secret, body: delivery.payload))
        }
        request.body = .bytes(ByteBuffer(string: body))
        return request
    }

    private func sendMail(_ delivery: WebhookDeliveryRecord, webhook: WebhookRecord) async throws {
        guard let mailer else { throw MailUnavailable() }
        guard let recipients = EmailRecipients.parse(webhook.url) else { throw SMTPError.protocolViolation("the target \(webhook.url) holds no valid address") }
        let message = EmailMessage(try NotificationContent.decode(delivery.payload), from: mailer.configuration.from, to: recipients)
        try await mailer.send(message)
    }
    /// Writes the outcome even when shutdown began meanwhile: the receiver has answered, so this attempt counts.
    /// Logs name the receiver's host only: webhook URLs often carry a token in their path.
    private func record(_ delivery: WebhookDeliveryRecord, statusCode: Int?, failure: String?, host: String) async {
        let catalog = self.catalog, retry = self.retry, logger = self.logger
        await Task {
            guard let deliveryId = delivery.id else { return }
            var deliveryLogger = logger
            deliveryLogger[metadataKey: "delivery"] = "\(deliveryId)"
            deliveryLogger[metadataKey: "event"] = "\(delivery.event)"
            deliveryLogger[metadataKey: "host"] = "\(host)"
            do {
                guard let failure else {
                    try await catalog.markDelivered(id: deliveryId, statusCode: statusCode ?? 200)
                    deliveryLogger.debug("webhook delivered")
                    return
                }
                let attempts = delivery.attempts + 1
                if attempts >= retry.maxAttempts {
                    try await catalog.markAttemptFailed(id: deliveryId, statusCode: statusCode, error: failure, retryAt: nil)
                    deliveryLogger.warning("webhook delivery given up", metadata: ["attempts": "\(attempts)", "error": "\(failure)"])
                } else {
                    let delay = retry.delay(afterAttempt: attempts)
                    try await catalog.markAttemptFailed(
                        id: deliveryId, statusCode: statusCode, error: failure, retryAt: Date().addingTimeInterval(delay))
                    deliveryLogger.info(
                        "webhook delivery failed; will retry",
                        metadata: ["attempts": "\(attempts)", "retryInSeconds": "\(delay)", "error": "\(failure)"])
                }
            } catch {
                deliveryLogger.error("could not record a webhook attempt", metadata: ["error": "\(error)"])
            }
        }.value
    }

    /// One line a person can act on, instead of NIO's debug text.
    private func describe(_ error: any Error) -> String {
        let seconds = String(format: "%g", retry.attemptTimeout)
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout: return "no answer within \(seconds) s"
            case .connectTimeout: return "could not connect within \(seconds) s"
            case .remoteConnectionClosed: return "the receiver closed the connection without answering"
            default: break
            }
        }
        if error is MailUnavailable { return "the server has no mail relay (serve --smtp-url)" }
        if let error = error as? SMTPError { return error.description }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.lowercased().contains("connection refused") { return "connection refused" }
        return text
    }

    static func timeAmount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(seconds * 1_000_000_000))
    }
}

private struct MailUnavailable: Error {}

/// The webhooks with an attempt under way: at most one per webhook, which is what keeps their order.
private final class InFlightWebhooks: Sendable {
    private let ids = Mutex<Set<Int64>>([])

    /// False when this webhook already has an attempt under way.
    func start(_ webhookId: Int64) -> Bool { ids.withLock { $0.insert(webhookId).inserted } }

    func end(_ webhookId: Int64) { ids.withLock { _ = $0.remove(webhookId) } }
}
