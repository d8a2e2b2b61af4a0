import Hummingbird
import NIOCore
import PackageFeed

/// The request context of every route: the core storage plus the API key the request authenticated with.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` when a valid key was sent.
    public var apiKey: APIKeyRecord?
    /// The peer of the connection, for throttling wrong keys per address; nil in router tests.
    public let clientAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        apiKey = nil
        clientAddress = source.channel.remoteAddress
    }

    /// Bodies are streamed, never collected, except small JSON bodies (policies, webhooks).
    public var maxUploadSize: Int { 1024 * 1024 }
}
