import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The connections open right now, shared by every connection's `ConnectionLimitHandler`.
final class ConnectionCounter: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)
    /// Set while over the limit, so that a flood logs one warning instead of one per connection.
    private let warned = Atomic<Bool>(false)
    private let logger: Logger

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    var current: Int { open.load(ordering: .relaxed) }

    /// Counts a new connection; false when it is one too many.
    func opened() -> Bool {
        let count = open.wrappingAdd(1, ordering: .relaxed).newValue
        guard count > limit else { return true }
        if !warned.exchange(true, ordering: .relaxed) {
            logger.warning(
                "connection limit reached: new connections are answered 503 until some close (--max-connections)",
                metadata: ["limit": "\(limit)"])
        }
        return false
    }

    func closed() {
        let count = open.wrappingSubtract(1, ordering: .relaxed).newValue
        if count < limit { warned.store(false, ordering: .relaxed) }
    }
}

/// Caps the connections open at once. A connection beyond the cap still counts while it lives, is answered
/// `503 Service Unavailable` with `Retry-After` on its first request head (so that a client sees why, rather than
/// a reset), and is closed; nothing of its request reaches the routes. A client that never sends a head is closed
/// by the header timeout like any other.
///
/// Refusing, rather than leaving connections in the kernel's accept queue (Hummingbird's
/// `availableConnectionsDelegate`), keeps the cap exact and tells a monitoring probe at once that the server is full.
final class ConnectionLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let counter: ConnectionCounter
    private var counted = false
    private var refused = false

    init(counter: ConnectionCounter) {
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        counted = true
        refused = !counter.opened()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if counted { counter.closed() }
        counted = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refused else {
            context.fireChannelRead(data)
            return
        }
        guard case .head = unwrapInboundIn(data) else { return }
        let body = ByteBuffer(string: "{\"error\":\"too many connections\",\"detail\":\"the server is at its connection limit; try again shortly\"}")
        let head = HTTPResponse(
            status: .serviceUnavailable,
            headerFields: [
                .contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes),
                .retryAfter: "1", .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension ConnectionLimitHandler: Sendable {}
