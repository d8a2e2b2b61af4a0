import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose next request head is not complete within `timeout` of the connection opening or of
/// the end of its previous answer.
///
/// Hummingbird's idle timeout counts silence between HTTP parts, and the decoder emits a head only once all its
/// header lines are in, so the idle timeout alone already ends a slowloris client eventually; but it must be long
/// (bodies streamed from a pipe pause), and a head needs no such patience. This handler gives heads their own,
/// short deadline. While a request is being read or answered it stays quiet: uploads and downloads of any length
/// are the idle timeout's business.
final class HeaderReadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private let logger: Logger
    private var deadline: Scheduled<Void>?
    /// Requests whose head was read and whose answer has not ended yet (more than one when pipelined).
    private var requestsInProgress = 0
    /// Between a head and its `.end`: body bytes are arriving, which is no head to wait for.
    private var readingBody = false

    init(timeout: Duration, logger: Logger) {
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsInProgress += 1
            readingBody = true
            disarm()
        case .body:
            break
        case .end:
            readingBody = false
            // Answered before its body ended (a 413, a 401): the next head is awaited from now.
            if requestsInProgress == 0 { arm(context) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            requestsInProgress = max(0, requestsInProgress - 1)
            if requestsInProgress == 0, !readingBody { arm(context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        let timeout = self.timeout
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            deadline = nil
            logger.debug(
                "closing a connection: no complete request head within the header timeout",
                metadata: ["peer": "\(context.channel.remoteAddress?.description ?? "?")"])
            context.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}

@available(*, unavailable)
extension HeaderReadTimeoutHandler: Sendable {}
