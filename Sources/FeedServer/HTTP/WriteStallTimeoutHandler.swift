import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client has stopped reading what the server sends for `timeout`.
///
/// Hummingbird's idle timeout does not run while an answer is being written, so a client that starts a download and
/// then never reads would hold its connection (and a `--max-connections` slot, and an open file) for ever. When the
/// client does not read, the socket's send buffer fills and the channel turns unwritable. The deadline starts then,
/// and moves on whenever a part of the answer has been handed to the kernel (the client read enough for it to fit)
/// or the channel is writable again. So it fires only when no part moved for the whole timeout: a slow but steady
/// reader is never cut; one slower than a 256 KiB download chunk per timeout counts as stalled.
final class WriteStallTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private let logger: Logger
    private var deadline: Scheduled<Void>?

    init(timeout: Duration, logger: Logger) {
        self.timeout = .nanoseconds(Int64(timeout / .nanoseconds(1)))
        self.logger = logger
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            disarm()
        } else {
            arm(context)
        }
        context.fireChannelWritabilityChanged()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .body = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenSuccess { [self] in
            // A part reached the kernel: bytes are moving. Still unwritable means a fresh deadline, not none.
            if deadline != nil { arm(context) }
        }
        context.write(data, promise: written)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            deadline = nil
            guard !context.channel.isWritable else { return }
            logger.debug(
                "closing a connection: the client read nothing for the idle timeout",
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
extension WriteStallTimeoutHandler: Sendable {}
