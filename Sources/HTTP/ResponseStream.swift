import Synchronization

/// A response body sent piece by piece (chunked in HTTP/1.1, close-delimited in 1.0).
///
/// Writes are queued on the connection and written as the socket accepts them; the
/// optional `onFlushed` callback fires when a piece has been handed to the kernel
/// (`true`) or can never be (`false`), which is how a producer applies back-pressure.
public final class ResponseStream: Sendable {
    private let connection: HTTPConnection
    private let responder: Responder
    private let finished = Mutex(false)

    init(connection: HTTPConnection, responder: Responder) {
        self.connection = connection
        self.responder = responder
    }

    /// True once the client is gone.
    public var isCancelled: Bool { responder.isCancelled }

    /// Queues `bytes` as the next piece of the body.
    public func write(_ bytes: [UInt8], onFlushed: (@Sendable (Bool) -> Void)? = nil) {
        guard !finished.withLock({ $0 }) else {
            onFlushed?(false)
            return
        }
        connection.writeStream(self, bytes: bytes, onFlushed: onFlushed)
    }

    /// Ends the body; later writes are dropped.
    public func finish() {
        let wasFinished = finished.withLock { finished -> Bool in
            defer { finished = true }
            return finished
        }
        guard !wasFinished else { return }
        connection.finishStream(self)
    }
}
