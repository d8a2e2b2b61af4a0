import Hummingbird
import PackageFeed

/// The request context of every route: the core storage plus the API key the request authenticated with.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` when a valid key was sent.
    public var apiKey: APIKeyRecord?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        apiKey = nil
    }

    /// Bodies are streamed, never collected, except small JSON bodies (policies, webhooks).
    public var maxUploadSize: Int { 1024 * 1024 }
}
