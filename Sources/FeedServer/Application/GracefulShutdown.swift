import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

extension ApplicationProtocol {
    /// Runs until SIGTERM or SIGINT, then stops gracefully: the server stops accepting connections and lets the
    /// requests in flight (uploads above all) finish for up to `grace`; what is still running then is cancelled:
    /// an unfinished upload is discarded with its temporary file, and a verification is stopped, its sandbox
    /// removed and its job queued again. Returns normally in every case, so that the process exits 0 after a
    /// requested stop.
    public func runUntilStopped(grace: Duration) async throws {
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: self)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        configuration.maximumGracefulShutdownDuration = grace
        try await ServiceGroup(configuration: configuration).run()
    }
}
