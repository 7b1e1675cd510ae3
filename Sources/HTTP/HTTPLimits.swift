/// Size, count and time limits applied to every connection.
///
/// Defaults follow `reference/serving_anchors.md` §4.4 (nginx/Apache/httplib anchors):
/// each limit is answered with its own status and `Connection: close`.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line in bytes, excluding CRLF → 414.
    public var maxRequestLineBytes = 8 * 1024
    /// Total bytes of all header field lines → 431.
    public var maxHeaderBytes = 32 * 1024
    /// Number of header field lines → 431.
    public var maxHeaderCount = 100
    /// Largest request body (from `Content-Length`, or decoded chunk bytes) → 413.
    public var maxBodyBytes = 16 * 1024 * 1024
    /// Time from a request's first byte until its header section is complete → 408.
    public var headerTimeout: Double = 15
    /// Longest pause while a body is arriving → 408.
    public var bodyIdleTimeout: Double = 30
    /// Longest pause between requests on a kept-alive connection (closed silently).
    public var keepAliveTimeout: Double = 15
    /// Longest time queued response bytes may wait without the client reading any of
    /// them; then the connection is closed (a client that stops reading cannot hold a
    /// connection forever).
    public var sendTimeout: Double = 30
    /// Requests served on one connection before the server answers with `Connection: close`.
    public var maxRequestsPerConnection = 1000
    /// Open connections; one more is answered 503 and closed.
    public var maxConnections = 1024

    public init() {}
}
