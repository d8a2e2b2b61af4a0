import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Sends one message through the configured relay per call: connect, (STARTTLS,) EHLO, AUTH, MAIL, RCPT, DATA,
/// QUIT. A connection per message is plenty for notifications and leaves nothing open between them.
struct SMTPMailer: Sendable {
    let configuration: SMTPConfiguration
    /// The whole exchange's limit, as for a webhook attempt.
    let timeout: Double

    func send(_ message: EmailMessage) async throws {
        let tls = try makeTLSContext()
        let handler = SMTPReplyHandler()
        let security = configuration.security
        let serverHostname = Self.isIPAddress(configuration.host) ? nil : configuration.host
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if security == .implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: configuration.host, port: configuration.port).get()
        let session = SMTPSession(channel: channel, handler: handler)
        do {
            try await withTimeout {
                try await withTaskCancellationHandler {
                    try await exchange(message, session: session, tls: tls, serverHostname: serverHostname)
                } onCancel: {
                    channel.close().whenComplete { _ in }
                }
            }
        } catch {
            channel.close().whenComplete { _ in }
            throw error
        }
        try? await channel.close()
    }

    private func exchange(_ message: EmailMessage, session: SMTPSession, tls: NIOSSLContext, serverHostname: String?) async throws {
        try await session.expect("the greeting", [220])
        var capabilities = try await session.command("EHLO \(Self.clientName)", expect: [250]).lines.dropFirst().map { $0.uppercased() }
        if configuration.security == .startTLS {
            guard capabilities.contains(where: { $0 == "STARTTLS" || $0.hasPrefix("STARTTLS ") }) else { throw SMTPError.noStartTLS }
            try await session.command("STARTTLS", expect: [220])
            try await session.startTLS(context: tls, serverHostname: serverHostname)
            capabilities = try await session.command("EHLO \(Self.clientName)", expect: [250]).lines.dropFirst().map { $0.uppercased() }
        }
        if let username = configuration.username {
            try await authenticate(session, username: username, password: configuration.password ?? "", capabilities: capabilities)
        }
        try await session.command("MAIL FROM:<\(message.from)>", expect: [250])
        for recipient in message.to {
            try await session.command("RCPT TO:<\(recipient)>", expect: [250, 251])
        }
        try await session.command("DATA", expect: [354])
        try await session.command(Self.dotStuffed(message.rendered()) + ".", name: "the message", expect: [250])
        _ = try? await session.command("QUIT", expect: [221])
    }

    private func authenticate(_ session: SMTPSession, username: String, password: String, capabilities: [String]) async throws {
        let offered = capabilities.first { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }.map { String($0.dropFirst(5)) } ?? ""
        let mechanisms = Set(offered.split(separator: " ").map(String.init))
        if mechanisms.contains("PLAIN") {
            let token = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
            try await session.command("AUTH PLAIN \(token)", name: "AUTH PLAIN", expect: [235])
        } else if mechanisms.contains("LOGIN") {
            try await session.command("AUTH LOGIN", expect: [334])
            try await session.command(Data(username.utf8).base64EncodedString(), name: "the AUTH LOGIN user name", expect: [334])
            try await session.command(Data(password.utf8).base64EncodedString(), name: "the AUTH LOGIN password", expect: [235])
        } else {
            throw SMTPError.noAuthMechanism(offered: offered)
        }
    }

    private func withTimeout(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let seconds = timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                throw SMTPError.timedOut(seconds)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func makeTLSContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caFile = configuration.caFile { tls.additionalTrustRoots = [.file(caFile)] }
        return try NIOSSLContext(configuration: tls)
    }

    /// RFC 5321 §4.5.2: a line of the message that starts with "." gets another one.
    static func dotStuffed(_ text: String) -> String {
        text.split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
            .joined(separator: "\r\n")
    }

    static var clientName: String {
        let name = ProcessInfo.processInfo.hostName
        return name.contains(".") && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) ? name : "localhost"
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }
}

/// The command/reply turns of one connection.
private struct SMTPSession: Sendable {
    let channel: any Channel
    let handler: SMTPReplyHandler

    @discardableResult
    func expect(_ what: String, _ codes: Set<Int>) async throws -> SMTPReply {
        let handler = self.handler, eventLoop = channel.eventLoop
        let reply = try await eventLoop.flatSubmit { handler.nextReply(on: eventLoop) }.get()
        guard codes.contains(reply.code) else { throw SMTPError.rejected(command: what, reply: reply) }
        return reply
    }

    /// Sends one line; `name` is what an error calls it (never the secret the line may carry).
    @discardableResult
    func command(_ line: String, name: String? = nil, expect codes: Set<Int>) async throws -> SMTPReply {
        try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n")).get()
        return try await expect(name ?? String(line.prefix(while: { $0 != ":" && $0 != " " }).prefix(20)), codes)
    }

    /// Puts TLS under the line decoder, after the server's 220 to STARTTLS.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws {
        let handler = self.handler
        let pending = try await channel.eventLoop.submit { handler.unreadReplies }.get()
        // Anything sent in clear after the 220 could have been injected on the way: refuse rather than trust it.
        guard pending == 0 else { throw SMTPError.protocolViolation("the server sent more after agreeing to STARTTLS") }
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                try NIOSSLClientHandler(context: context, serverHostname: serverHostname), position: .first)
        }.get()
    }
}
