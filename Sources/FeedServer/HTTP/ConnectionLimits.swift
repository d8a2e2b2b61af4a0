import Foundation

/// How long and how many connections clients may hold (`--header-timeout`, `--idle-timeout`, `--max-connections`).
/// Without them a client that opens connections and sends nothing, or drips a header byte every few seconds,
/// keeps a socket and its memory forever; enough such clients starve everybody else.
public struct ConnectionLimits: Sendable, Equatable {
    /// From a connection's start (or the end of its previous answer) until its next request head is complete.
    /// A head is a few hundred bytes: no honest client needs long for it, however slow its upload is later.
    public var headerTimeout: Duration
    /// The longest no request bytes may arrive while a request is being read, or while a connection waits between
    /// requests, and the longest a client may leave an answer unread. It measures silence, not total time: a 50 GB
    /// upload or download that keeps bytes moving never hits it. Generous by default because
    /// `pg_dump | curl -T -` can pause while the database computes.
    public var idleTimeout: Duration
    /// Connections open at the same time; beyond it a new connection is answered 503 and closed.
    public var maxConnections: Int

    public init(headerTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(300), maxConnections: Int = 512) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }
}
