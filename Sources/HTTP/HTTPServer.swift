import Dispatch
import Synchronization

/// A hand-written HTTP/1.1 server on non-blocking POSIX sockets and Dispatch.
///
/// One serial queue accepts connections; each connection gets its own serial queue
/// on a shared concurrent I/O queue. Nothing here runs compute: handlers that do
/// heavy work hand it to their own queues and answer through `Responder`.
///
/// Lifecycle: `start()` binds and listens; `stop(gracePeriod:completion:)` closes the
/// listener, lets in-flight responses finish (responses then carry
/// `Connection: close`), and force-closes whatever remains when the grace period ends.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: UInt16
        public var backlog: Int32
        public var limits: HTTPLimits
        public var serverName: String

        public init(host: String = "127.0.0.1", port: UInt16 = 8080, backlog: Int32 = 256,
                    limits: HTTPLimits = HTTPLimits(), serverName: String = "DiffusionService") {
            self.host = host
            self.port = port
            self.backlog = backlog
            self.limits = limits
            self.serverName = serverName
        }
    }

    private struct State: ~Copyable {
        var listener: Socket?
        var acceptSource: ListenerSource?
        var connections: [Int: HTTPConnection] = [:]
        var nextConnectionID = 0
        var stopping = false
        var stopCompletions: [@Sendable () -> Void] = []
        var boundPort: UInt16 = 0
        var rejectedConnections = 0
    }

    public let configuration: Configuration
    private let handler: any HTTPHandler
    private let acceptQueue = DispatchQueue(label: "http.accept", qos: .userInitiated)
    private let ioQueue = DispatchQueue(label: "http.io", qos: .userInitiated, attributes: .concurrent)
    private let state = Mutex(State())

    public init(configuration: Configuration, handler: any HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    /// The port actually bound (differs from the configuration when it asked for 0).
    public var port: UInt16 { state.withLock { $0.boundPort } }

    /// Open connections right now.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Connections refused because `maxConnections` was reached.
    public var rejectedConnectionCount: Int { state.withLock { $0.rejectedConnections } }

    /// Binds, listens and starts accepting. Throws `SocketError` when the address is unusable.
    public func start() throws {
        let listener = try Socket.listening(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        let source = DispatchSource.makeReadSource(fileDescriptor: listener.fileDescriptor, queue: acceptQueue)
        source.setEventHandler { [self] in acceptPending(on: listener) }
        source.setCancelHandler { listener.close() }
        source.resume()
        let box = ListenerSource(source: source)
        state.withLock {
            $0.listener = listener
            $0.acceptSource = box
            $0.boundPort = listener.localPort
        }
    }

    /// Stops accepting, drains open connections for up to `gracePeriod` seconds, then
    /// closes the rest and calls `completion`.
    public func stop(gracePeriod: Double, completion: @escaping @Sendable () -> Void = {}) {
        let (source, connections, alreadyDone) = state.withLock { state -> (ListenerSource?, [HTTPConnection], Bool) in
            state.stopping = true
            state.stopCompletions.append(completion)
            let source = state.acceptSource
            state.acceptSource = nil
            return (source, Array(state.connections.values), state.connections.isEmpty)
        }
        source?.source.cancel()
        if alreadyDone { return finishStopping() }
        for connection in connections { connection.drain() }
        acceptQueue.asyncAfter(deadline: .now() + gracePeriod) { [self] in
            let remaining = state.withLock { Array($0.connections.values) }
            for connection in remaining { connection.forceClose() }
        }
    }

    /// `stop(gracePeriod:)`, blocking the caller until every connection is closed.
    /// Never call it from a handler.
    public func stopAndWait(gracePeriod: Double) {
        let done = DispatchSemaphore(value: 0)
        stop(gracePeriod: gracePeriod) { done.signal() }
        done.wait()
    }

    private func acceptPending(on listener: Socket) {
        for _ in 0..<64 {
            let accepted: Socket?
            do {
                accepted = try listener.acceptConnection()
            } catch {
                return  // EMFILE and friends: try again on the next readiness event.
            }
            guard let socket = accepted else { return }
            admit(socket)
        }
    }

    private func admit(_ socket: Socket) {
        let admission = state.withLock { state -> Int? in
            guard !state.stopping, state.connections.count < configuration.limits.maxConnections else {
                state.rejectedConnections += 1
                return nil
            }
            state.nextConnectionID += 1
            return state.nextConnectionID
        }
        guard let id = admission else { return reject(socket) }
        let connection = HTTPConnection(
            id: id, socket: socket, handler: handler, limits: configuration.limits,
            serverName: configuration.serverName, targetQueue: ioQueue,
            onClose: { [self] id in connectionClosed(id) }
        )
        state.withLock { $0.connections[id] = connection }
        connection.start()
    }

    /// Over the connection limit (or stopping): a best-effort 503, then close.
    private func reject(_ socket: Socket) {
        let problem = ProblemDetails(status: .serviceUnavailable, detail: "too many open connections", code: "too_many_connections")
        let response = problem.response()
        var text = "HTTP/1.1 503 Service Unavailable\r\nServer: \(configuration.serverName)\r\nDate: \(HTTPDate.now())\r\n"
        text += "Content-Type: application/problem+json\r\nRetry-After: 1\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(text.utf8) + response.body
        _ = bytes.withUnsafeBytes { socket.write($0) }
        socket.close()
    }

    private func connectionClosed(_ id: Int) {
        let finished = state.withLock { state -> Bool in
            state.connections[id] = nil
            return state.stopping && state.connections.isEmpty && !state.stopCompletions.isEmpty
        }
        if finished { finishStopping() }
    }

    private func finishStopping() {
        let completions = state.withLock { state -> [@Sendable () -> Void] in
            defer { state.stopCompletions.removeAll() }
            return state.stopCompletions
        }
        for completion in completions { completion() }
    }
}

/// The listening socket's read source. Dispatch sources are thread-safe, but the
/// protocol is not annotated `Sendable`; this box states that once.
private struct ListenerSource: @unchecked Sendable {
    let source: any DispatchSourceRead
}
