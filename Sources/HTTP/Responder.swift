import Synchronization

/// The one-shot answer channel for one request, safe to use from any thread.
///
/// A handler either sends a whole `HTTPResponse` or starts a `ResponseStream`
/// (chunked transfer, used for Server-Sent Events). `isCancelled` turns true, and
/// `onCancel` actions run, when the client disconnects or the server force-closes
/// the connection, so long work can stop at its next checkpoint.
public final class Responder: Sendable {
    private struct State {
        var answered = false
        var cancelled = false
        var cancelActions: [@Sendable () -> Void] = []
        var finishActions: [@Sendable (HTTPStatus, Int) -> Void] = []
        var finished = false
        var extraHeaders = HTTPHeaders()
    }

    /// The status reported to `onFinish` observers when the connection closed before
    /// an answer was written (nginx's convention).
    public static let clientClosedRequest = HTTPStatus(code: 499, reasonPhrase: "Client Closed Request")

    private let state = Mutex(State())
    private let connection: HTTPConnection
    /// The request's method, so handlers of `HEAD` need not special-case it.
    public let method: HTTPMethod

    init(connection: HTTPConnection, method: HTTPMethod) {
        self.connection = connection
        self.method = method
    }

    /// Sends `response` unless an answer was already sent.
    public func send(_ response: HTTPResponse) {
        guard claimAnswer() else { return }
        var response = response
        for field in state.withLock({ $0.extraHeaders }) where !response.headers.contains(field.name) {
            response.headers.add(field.name, field.value)
        }
        connection.complete(self, with: response)
    }

    /// Adds a header to whatever answer is sent later (a request id, say), unless the
    /// answer sets that header itself. Lets a wrapping handler decorate every response.
    public func addResponseHeader(_ name: String, _ value: String) {
        state.withLock { $0.extraHeaders.add(name, value) }
    }

    /// Sends `problem` as an `application/problem+json` response.
    public func send(_ problem: ProblemDetails) {
        send(problem.response())
    }

    /// Sends the status line and headers now and returns a stream for the body.
    /// Returns `nil` when an answer was already sent.
    public func startStream(status: HTTPStatus = .ok, headers: HTTPHeaders) -> ResponseStream? {
        guard claimAnswer() else { return nil }
        let stream = ResponseStream(connection: connection, responder: self)
        var headers = headers
        for field in state.withLock({ $0.extraHeaders }) where !headers.contains(field.name) {
            headers.add(field.name, field.value)
        }
        connection.startStream(self, status: status, headers: headers)
        return stream
    }

    /// True once the client is gone; the answer will never be delivered.
    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Runs `action` once when the request is cancelled (at once if it already is).
    public func onCancel(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.cancelled { return true }
            state.cancelActions.append(action)
            return false
        }
        if runNow { action() }
    }

    /// Runs `action` once the answer is fully queued for writing, with its status and
    /// body byte count (`clientClosedRequest` when the connection closed first).
    /// Access logs and metrics observe requests through it.
    public func onFinish(_ action: @escaping @Sendable (HTTPStatus, Int) -> Void) {
        state.withLock { $0.finishActions.append(action) }
    }

    /// Called by the connection when the answer is queued or can no longer be sent.
    func reportFinished(status: HTTPStatus, bodyBytes: Int) {
        let actions = state.withLock { state -> [@Sendable (HTTPStatus, Int) -> Void] in
            guard !state.finished else { return [] }
            state.finished = true
            defer { state.finishActions.removeAll() }
            return state.finishActions
        }
        for action in actions { action(status, bodyBytes) }
    }

    /// Called by the connection when the peer disconnects or the server closes it.
    func cancel() {
        let actions = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.cancelled else { return [] }
            state.cancelled = true
            defer { state.cancelActions.removeAll() }
            return state.cancelActions
        }
        for action in actions { action() }
    }

    private func claimAnswer() -> Bool {
        state.withLock { state in
            if state.answered { return false }
            state.answered = true
            return true
        }
    }
}
