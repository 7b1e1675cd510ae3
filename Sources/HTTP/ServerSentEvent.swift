import Dispatch
import Synchronization

/// One Server-Sent Event (WHATWG HTML §9.2 "event stream" format).
///
/// `data` may span lines; each becomes its own `data:` field, so the client
/// reassembles it exactly. Field values never contain CR or LF.
public struct ServerSentEvent: Sendable, Equatable {
    public var id: String?
    public var event: String?
    public var data: String
    /// Reconnection time the client should use, in milliseconds.
    public var retry: Int?

    public init(id: String? = nil, event: String? = nil, data: String, retry: Int? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retry = retry
    }

    /// The event's wire form, ending with the blank line that dispatches it.
    public var encoded: [UInt8] {
        var text = ""
        if let retry { text += "retry: \(retry)\n" }
        if let id { text += "id: \(Self.singleLine(id))\n" }
        if let event { text += "event: \(Self.singleLine(event))\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line.replacingCarriageReturns())\n"
        }
        text += "\n"
        return Array(text.utf8)
    }

    /// A comment line; clients ignore it, proxies see traffic (a heartbeat).
    public static func comment(_ text: String) -> [UInt8] {
        Array(": \(singleLine(text))\n\n".utf8)
    }

    private static func singleLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}

extension Substring {
    fileprivate func replacingCarriageReturns() -> String {
        String(map { $0 == "\r" ? " " : $0 })
    }
}

/// A `text/event-stream` response with periodic heartbeat comments.
///
/// Created from a `Responder`; `send(_:)` writes events, `close()` ends the stream
/// and stops the heartbeat. The heartbeat keeps proxies from cutting an idle stream
/// while a long job runs.
public final class EventStream: Sendable {
    private let stream: ResponseStream
    // Dispatch sources are thread-safe; the type just is not annotated `Sendable`.
    nonisolated(unsafe) private let heartbeat: any DispatchSourceTimer
    private let closed = Mutex(false)

    /// Starts the stream, or returns nil when the request was already answered.
    public init?(responder: Responder, heartbeatInterval: Double = 15, headers: HTTPHeaders = HTTPHeaders()) {
        var headers = headers
        headers.set("Content-Type", "text/event-stream")
        headers.set("Cache-Control", "no-cache")
        guard let stream = responder.startStream(status: .ok, headers: headers) else { return nil }
        self.stream = stream
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "http.event-stream.heartbeat"))
        let interval = DispatchTimeInterval.milliseconds(Int(heartbeatInterval * 1000))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { stream.write(ServerSentEvent.comment("keepalive")) }
        timer.resume()
        heartbeat = timer
    }

    public var isCancelled: Bool { stream.isCancelled }

    public func send(_ event: ServerSentEvent, onFlushed: (@Sendable (Bool) -> Void)? = nil) {
        stream.write(event.encoded, onFlushed: onFlushed)
    }

    public func close() {
        let wasClosed = closed.withLock { closed -> Bool in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        heartbeat.cancel()
        stream.finish()
    }

    deinit {
        heartbeat.cancel()
    }
}
