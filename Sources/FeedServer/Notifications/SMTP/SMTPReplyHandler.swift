import Foundation
import NIOCore

/// One SMTP reply: the code and its lines (a multi-line reply's `250-` continuations joined).
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]

    var text: String { lines.joined(separator: " ") }
    var isPositive: Bool { (200..<400).contains(code) }
}

/// Turns the server's lines into replies and hands each to the command waiting for it, in order. Replies that
/// arrive before anyone waits (the greeting) are kept until asked for.
final class SMTPReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    /// Only touched on the channel's event loop.
    private var waiting: CircularBuffer<EventLoopPromise<SMTPReply>> = []
    private var ready: CircularBuffer<SMTPReply> = []
    private var partial: [String] = []
    private var failure: (any Error)?

    /// The number of replies received that nobody asked for yet (STARTTLS requires none: anything the server sent
    /// in clear after its 220 must not be read as if it came over TLS).
    var unreadReplies: Int { ready.count }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let raw = buffer.readString(length: buffer.readableBytes) ?? ""
        let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
        guard line.count >= 3, let code = Int(line.prefix(3)) else {
            fail(SMTPError.protocolViolation("the server sent \"\(line.prefix(80))\", not an SMTP reply"), context: context)
            return
        }
        let separator = line.dropFirst(3).first
        partial.append(String(line.dropFirst(4)))
        if separator == "-" { return }
        let reply = SMTPReply(code: code, lines: partial)
        partial = []
        if let promise = waiting.popFirst() { promise.succeed(reply) } else { ready.append(reply) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPError.protocolViolation("the server closed the connection"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
        context.close(promise: nil)
    }

    /// The next reply, on the event loop.
    func nextReply(on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        eventLoop.assertInEventLoop()
        if let reply = ready.popFirst() { return eventLoop.makeSucceededFuture(reply) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiting.append(promise)
        return promise.futureResult
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        if failure == nil { failure = error }
        while let promise = waiting.popFirst() { promise.fail(error) }
    }
}

/// Splits the server's bytes into lines (without the LF; the handler drops a CR), refusing a line without end.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    static let maxLineLength = 4096

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maxLineLength { throw SMTPError.protocolViolation("a reply line longer than 4 KiB") }
            return .needMoreData
        }
        let line = buffer.readSlice(length: newline - buffer.readerIndex)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}

enum SMTPError: Error, CustomStringConvertible, Sendable {
    case protocolViolation(String)
    case rejected(command: String, reply: SMTPReply)
    case noStartTLS
    case noAuthMechanism(offered: String)
    case timedOut(Double)

    var description: String {
        switch self {
        case .protocolViolation(let why): "SMTP: \(why)"
        case .rejected(let command, let reply): "SMTP \(reply.code) after \(command): \(reply.text.prefix(200))"
        case .noStartTLS: "the SMTP server does not offer STARTTLS, and smtp:// requires it (smtps:// for TLS on connect)"
        case .noAuthMechanism(let offered): "the SMTP server offers no AUTH PLAIN or LOGIN (it offers \(offered.isEmpty ? "none" : offered))"
        case .timedOut(let seconds): "the SMTP exchange did not finish within \(String(format: "%g", seconds)) s"
        }
    }
}
