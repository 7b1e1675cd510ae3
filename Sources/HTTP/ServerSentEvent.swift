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
        for line in Self.dataLines(data) {
            text += "data: \(line)\n"
        }
        text += "\n"
        return Array(text.utf8)
    }

    /// A comment line; clients ignore it, proxies see traffic (a heartbeat).
    public static func comment(_ text: String) -> [UInt8] {
        Array(": \(singleLine(text))\n\n".utf8)
    }

    // Both helpers work on Unicode scalars, not Characters: "\r\n" is a single
    // Character (one grapheme cluster), so a Character-level comparison with "\r" or
    // "\n" never matches it and a CRLF would pass through into the stream.

    /// `text` with every CR and LF replaced by a space.
    private static func singleLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(scalar == "\n" || scalar == "\r" ? " " : scalar)
        }
        return String(scalars)
    }

    /// The lines of `data`: LF and CRLF end a line; a lone CR becomes a space.
    private static func dataLines(_ data: String) -> [String] {
        var lines: [String] = []
        var line = String.UnicodeScalarView()
        var pendingCR = false
        for scalar in data.unicodeScalars {
            if scalar == "\r" {
                if pendingCR { line.append(" ") }
                pendingCR = true
            } else if scalar == "\n" {
                lines.append(String(line))
                line = String.UnicodeScalarView()
                pendingCR = false
            } else {
                if pendingCR { line.append(" ") }
                pendingCR = false
                line.append(scalar)
            }
        }
        if pendingCR { line.append(" ") }
        lines.append(String(line))
        return lines
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
