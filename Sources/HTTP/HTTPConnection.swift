import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One client connection: reads and parses requests, hands them to the handler one
/// at a time, and writes responses in order (RFC 9112 §9.3.2 pipelining).
///
/// Concurrency: every stored property is touched only on `queue`, a serial queue
/// that targets the server's I/O queue (never a compute queue). Public entry points
/// from other threads (`Responder`, `ResponseStream`) hop onto `queue` first, which
/// is why the class can be `@unchecked Sendable`.
///
/// Timeouts: while no request is in progress the keep-alive timer runs (silent
/// close); from a request's first byte the header deadline runs (408); while a body
/// arrives the body-idle timer runs (408). No timer runs while the handler works:
/// deadlines for work belong to the service.
final class HTTPConnection: @unchecked Sendable {
    let id: Int
    let queue: DispatchQueue
    private let socket: Socket
    private let handler: any HTTPHandler
    private let limits: HTTPLimits
    private let serverName: String
    private let onClose: @Sendable (Int) -> Void

    private var parser: HTTPRequestParser
    private let readSource: any DispatchSourceRead
    private let writeSource: any DispatchSourceWrite
    private let timer: any DispatchSourceTimer
    /// The deadline of the phase being timed (keep-alive, header or body-idle); nil while
    /// a handler works or nothing is timed.
    private var wantedDeadline: UInt64?
    /// What the Dispatch timer is actually scheduled for (nil once it fired). Rescheduling
    /// a Dispatch timer wakes the manager thread, so it is only moved earlier; when it
    /// fires before `wantedDeadline` it is simply re-armed (see `armTimer`).
    private var scheduledDeadline: UInt64?
    private var readSuspended = false
    /// Reading and parsing stopped because answers are piling up unread (see `processBufferedRequests`).
    private var pausedForOutput = false
    private var writeSuspended = true
    private var pendingSourceCancels = 2

    /// Created on the first write that would block; closes a connection whose client
    /// reads nothing for `limits.sendTimeout` while answers wait (see `flush`).
    private var sendTimer: (any DispatchSourceTimer)?
    private var sendStalled = false
    private var lastSendProgress: UInt64 = 0

    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var bytesQueued = 0
    private var bytesWritten = 0
    private var flushWaiters: [(threshold: Int, callback: @Sendable (Bool) -> Void)] = []

    /// The request whose answer is awaited, and how to frame that answer.
    private var current: InFlight?
    private var requestsServed = 0
    private var headStartedAt: UInt64 = 0
    private var lastActivity: UInt64 = 0
    private var inputClosed = false
    private var closeWhenFlushed = false
    private var draining = false
    private(set) var isClosed = false

    private struct InFlight {
        var responder: Responder
        var method: HTTPMethod
        var version: HTTPVersion
        var keepAlive: Bool
        var chunked = false
        var streamStatus: HTTPStatus?
        var streamedBytes = 0
    }

    /// Bytes of pipelined input buffered while a request is in flight before reading pauses.
    private static let maxBufferedWhileBusy = 1 << 20
    /// Unwritten response bytes above which no further pipelined request is started.
    private static let maxPendingOutput = 1 << 20
    private static let readChunkSize = 64 * 1024

    init(
        id: Int, socket: Socket, handler: any HTTPHandler, limits: HTTPLimits, serverName: String,
        targetQueue: DispatchQueue, onClose: @escaping @Sendable (Int) -> Void
    ) {
        self.id = id
        self.socket = socket
        self.handler = handler
        self.limits = limits
        self.serverName = serverName
        self.onClose = onClose
        self.parser = HTTPRequestParser(limits: limits)
        self.queue = DispatchQueue(label: "http.connection.\(id)", target: targetQueue)
        self.readSource = DispatchSource.makeReadSource(fileDescriptor: socket.fileDescriptor, queue: queue)
        self.writeSource = DispatchSource.makeWriteSource(fileDescriptor: socket.fileDescriptor, queue: queue)
        self.timer = DispatchSource.makeTimerSource(queue: queue)
    }

    /// Starts reading. Call once, right after accepting.
    func start() {
        queue.async { [self] in
            let descriptorCloser: @Sendable () -> Void = { [self] in sourceCancelled() }
            readSource.setEventHandler { [self] in readAvailableBytes() }
            readSource.setCancelHandler(handler: descriptorCloser)
            writeSource.setEventHandler { [self] in flush() }
            writeSource.setCancelHandler(handler: descriptorCloser)
            timer.setEventHandler { [self] in timerFired() }
            lastActivity = Self.now()
            armTimer()
            timer.resume()
            readSource.resume()
        }
    }

    // MARK: Reading

    private func readAvailableBytes() {
        guard !isClosed else { return }
        let phaseBefore = parser.phase
        var endOfStream = false
        var failed = false
        withUnsafeTemporaryAllocation(byteCount: Self.readChunkSize, alignment: 16) { scratch in
            for _ in 0..<4 {
                switch socket.read(into: scratch) {
                case .received(let count):
                    parser.append(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                    if count < scratch.count { return }
                case .wouldBlock:
                    return
                case .endOfStream:
                    endOfStream = true
                    return
                case .failed:
                    failed = true
                    return
                }
            }
        }
        if failed { return close() }
        // Empty lines between requests (RFC 9112 §2.2) are ignored, and so do not count
        // as activity: otherwise a client trickling CRLFs would hold the connection open
        // forever without ever starting a request.
        let phaseAfter = parser.phase
        if phaseAfter != .idle || endOfStream { lastActivity = Self.now() }
        if phaseBefore == .idle, phaseAfter != .idle { headStartedAt = lastActivity }
        if endOfStream {
            inputClosed = true
            suspendReading()
            // The client is gone (or half-closed): a request still in flight is cancelled,
            // as Go's net/http does; its answer is still written if it comes within
            // `keepAliveTimeout`. A handler that stops on cancellation without answering
            // would otherwise hold the connection (and its descriptor) forever.
            if let inFlight = current {
                inFlight.responder.cancel()
                setDeadline(lastActivity + UInt64(max(limits.keepAliveTimeout, 0) * 1_000_000_000))
            }
        }
        processBufferedRequests()
    }

    private func processBufferedRequests() {
        while current == nil, !closeWhenFlushed, !isClosed {
            if outbound.count - outboundOffset > Self.maxPendingOutput {
                // The client pipelines but does not read: take no more requests (and read
                // no more bytes) until the answers already queued are written, so its
                // unread answers cannot grow without bound. `flush` resumes.
                pausedForOutput = true
                suspendReading()
                return
            }
            do {
                switch try parser.nextEvent() {
                case .needsMoreData:
                    if inputClosed { return finishAfterInputClosed() }
                    armTimer()
                    return
                case .expectsContinue:
                    enqueue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    flush()
                case .request(let request):
                    dispatch(request)
                }
            } catch {
                sendProtocolError(error)
            }
        }
        if current != nil, parser.bufferedByteCount > Self.maxBufferedWhileBusy { suspendReading() }
    }

    private func finishAfterInputClosed() {
        // Nothing more can arrive: close once what is queued is written.
        closeWhenFlushed = true
        flush()
    }

    private func dispatch(_ request: HTTPRequest) {
        requestsServed += 1
        let keepAlive = request.wantsKeepAlive && requestsServed < limits.maxRequestsPerConnection && !draining && !inputClosed
        let responder = Responder(connection: self, method: request.method)
        current = InFlight(responder: responder, method: request.method, version: request.version, keepAlive: keepAlive)
        wantedDeadline = nil
        handler.handle(request, responder: responder)
    }

    // MARK: Answering (entry points from any thread)

    func complete(_ responder: Responder, with response: HTTPResponse) {
        queue.async { [self] in
            guard !isClosed, let inFlight = current, inFlight.responder === responder else { return }
            var response = response
            let sendsBody = inFlight.method != .head && response.status.allowsBody
            if response.status.allowsBody {
                response.headers.set("Content-Length", String(response.body.count))
            }
            enqueue(responseHead(response.status, headers: response.headers, inFlight: inFlight))
            if sendsBody { enqueue(response.body) }
            inFlight.responder.reportFinished(status: response.status, bodyBytes: sendsBody ? response.body.count : 0)
            finishCurrent(keepAlive: inFlight.keepAlive)
        }
    }

    func startStream(_ responder: Responder, status: HTTPStatus, headers: HTTPHeaders) {
        queue.async { [self] in
            guard !isClosed, var inFlight = current, inFlight.responder === responder else { return }
            var headers = headers
            headers.remove("Content-Length")
            if inFlight.version == .http1_1 {
                headers.set("Transfer-Encoding", "chunked")
                inFlight.chunked = true
            } else {
                // HTTP/1.0 has no chunked coding: the body ends when the connection closes.
                inFlight.keepAlive = false
            }
            enqueue(responseHead(status, headers: headers, inFlight: inFlight))
            inFlight.streamStatus = status
            current = inFlight
            flush()
        }
    }

    func writeStream(_ stream: ResponseStream, bytes: [UInt8], onFlushed: (@Sendable (Bool) -> Void)?) {
        queue.async { [self] in
            guard !isClosed, current != nil, current?.method != .head, let inFlight = current else {
                onFlushed?(!isClosed)
                return
            }
            current?.streamedBytes += bytes.count
            if bytes.isEmpty {
                onFlushed?(true)
                return
            }
            if inFlight.chunked {
                enqueue(Array((String(bytes.count, radix: 16) + "\r\n").utf8))
                enqueue(bytes)
                enqueue([ByteClass.carriageReturn, ByteClass.lineFeed])
            } else {
                enqueue(bytes)
            }
            if let onFlushed { flushWaiters.append((bytesQueued, onFlushed)) }
            flush()
        }
    }

    func finishStream(_ stream: ResponseStream) {
        queue.async { [self] in
            guard !isClosed, let inFlight = current else { return }
            if inFlight.chunked && inFlight.method != .head { enqueue(Array("0\r\n\r\n".utf8)) }
            inFlight.responder.reportFinished(status: inFlight.streamStatus ?? .ok, bodyBytes: inFlight.streamedBytes)
            finishCurrent(keepAlive: inFlight.keepAlive)
        }
    }

    private func finishCurrent(keepAlive: Bool) {
        current = nil
        if !keepAlive { closeWhenFlushed = true }
        flush()
        guard !isClosed, !closeWhenFlushed else { return }
        resumeReading()
        lastActivity = Self.now()
        if parser.phase != .idle { headStartedAt = lastActivity }
        processBufferedRequests()
    }

    private func responseHead(_ status: HTTPStatus, headers: HTTPHeaders, inFlight: InFlight?) -> [UInt8] {
        // Built as bytes (not a String converted at the end): one buffer, no re-copy.
        var head: [UInt8] = []
        head.reserveCapacity(160 + headers.fields.count * 48)
        head.append(contentsOf: "HTTP/1.1 ".utf8)
        head.append(contentsOf: String(status.code).utf8)
        head.append(ByteClass.space)
        head.append(contentsOf: status.reasonPhrase.utf8)
        head.append(contentsOf: "\r\nServer: ".utf8)
        head.append(contentsOf: serverName.utf8)
        head.append(contentsOf: "\r\nDate: ".utf8)
        head.append(contentsOf: HTTPDate.now().utf8)
        head.append(contentsOf: "\r\n".utf8)
        for field in headers where !field.name.equalsIgnoringASCIICase("Connection") {
            // RFC 9110 §5.5: a sender must not generate CR, LF or NUL in a field. A handler
            // that copies request data into a header (a name, a Location) must not be able
            // to split the response: invalid names are dropped, CTLs in values become SP.
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(ByteClass.isToken) else { continue }
            head.append(contentsOf: field.name.utf8)
            head.append(contentsOf: ": ".utf8)
            head.append(contentsOf: Self.sanitizedFieldValue(field.value).utf8)
            head.append(contentsOf: "\r\n".utf8)
        }
        if let inFlight, inFlight.keepAlive {
            if inFlight.version == .http1_0 { head.append(contentsOf: "Connection: keep-alive\r\n".utf8) }
        } else {
            head.append(contentsOf: "Connection: close\r\n".utf8)
        }
        head.append(contentsOf: "\r\n".utf8)
        return head
    }

    private static func sanitizedFieldValue(_ value: String) -> String {
        if value.utf8.allSatisfy(ByteClass.isFieldValue) { return value }
        let bytes = value.utf8.map { ByteClass.isFieldValue($0) ? $0 : ByteClass.space }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Answers a framing or limit error with a problem document, then closes.
    private func sendProtocolError(_ error: HTTPError) {
        let response = error.problem.response()
        var head = responseHead(response.status, headers: {
            var headers = response.headers
            headers.set("Content-Length", String(response.body.count))
            return headers
        }(), inFlight: nil)
        head.append(contentsOf: response.body)
        enqueue(head)
        closeWhenFlushed = true
        flush()
    }

    // MARK: Writing

    private func enqueue(_ bytes: [UInt8]) {
        outbound.append(contentsOf: bytes)
        bytesQueued += bytes.count
    }

    private func flush() {
        guard !isClosed else { return }
        while outboundOffset < outbound.count {
            let result = outbound.withUnsafeBytes { bytes in
                socket.write(UnsafeRawBufferPointer(rebasing: bytes[outboundOffset...]))
            }
            switch result {
            case .sent(let count):
                outboundOffset += count
                bytesWritten += count
                if sendStalled { lastSendProgress = Self.now() }
            case .wouldBlock:
                if writeSuspended {
                    writeSuspended = false
                    writeSource.resume()
                }
                if !sendStalled { startSendStallTimer() }
                notifyFlushWaiters()
                return
            case .failed:
                return close()
            }
        }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 1 << 20)
        outboundOffset = 0
        sendStalled = false
        if !writeSuspended {
            writeSuspended = true
            writeSource.suspend()
        }
        notifyFlushWaiters()
        if closeWhenFlushed && current == nil { return close() }
        if pausedForOutput {
            pausedForOutput = false
            resumeReading()
            processBufferedRequests()
        }
    }

    private func notifyFlushWaiters() {
        guard !flushWaiters.isEmpty else { return }
        let written = bytesWritten
        let ready = flushWaiters.filter { $0.threshold <= written }
        flushWaiters.removeAll { $0.threshold <= written }
        for waiter in ready { waiter.callback(true) }
    }

    // MARK: Timers

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private func armTimer() {
        guard current == nil, !isClosed else { return }
        let seconds: Double
        let start: UInt64
        switch parser.phase {
        case .idle:
            (seconds, start) = (limits.keepAliveTimeout, lastActivity)
        case .head:
            (seconds, start) = (limits.headerTimeout, headStartedAt)
        case .body:
            (seconds, start) = (limits.bodyIdleTimeout, lastActivity)
        }
        setDeadline(start + UInt64(max(seconds, 0) * 1_000_000_000))
    }

    private func setDeadline(_ deadline: UInt64) {
        wantedDeadline = deadline
        // Keep an earlier scheduled firing: it re-arms for the real deadline. This turns
        // two timer reschedules per request into about one per timeout period.
        if let scheduled = scheduledDeadline, scheduled <= deadline { return }
        scheduledDeadline = deadline
        timer.schedule(deadline: DispatchTime(uptimeNanoseconds: deadline))
    }

    private func timerFired() {
        scheduledDeadline = nil
        guard let wanted = wantedDeadline, !isClosed, !pausedForOutput, current == nil || inputClosed else { return }
        let now = Self.now()
        if now < wanted {
            // An earlier schedule firing: wait for the deadline actually wanted.
            scheduledDeadline = wanted
            timer.schedule(deadline: DispatchTime(uptimeNanoseconds: wanted))
            return
        }
        // The client left while its request was in flight and no answer came: give up
        // (the responder is already cancelled; `close` reports 499 to onFinish).
        if current != nil { return close() }
        // Already answering with a final error and closing: a deadline passing now means
        // the client is not reading that answer. Close rather than queue a second one.
        if closeWhenFlushed { return close() }
        switch parser.phase {
        case .idle:
            if now >= lastActivity + UInt64(limits.keepAliveTimeout * 1e9) { return close() }
        case .head:
            if now >= headStartedAt + UInt64(limits.headerTimeout * 1e9) {
                return sendProtocolError(HTTPError(.requestTimeout, "request header not received within \(limits.headerTimeout) s", code: "request_timeout"))
            }
        case .body:
            if now >= lastActivity + UInt64(limits.bodyIdleTimeout * 1e9) {
                return sendProtocolError(HTTPError(.requestTimeout, "request body stalled for \(limits.bodyIdleTimeout) s", code: "request_timeout"))
            }
        }
        armTimer()
    }

    /// The socket stopped taking bytes: from now on, progress is timestamped, and the
    /// connection closes if none is made for `sendTimeout`.
    private func startSendStallTimer() {
        sendStalled = true
        lastSendProgress = Self.now()
        let stallTimer: any DispatchSourceTimer
        if let existing = sendTimer {
            stallTimer = existing
        } else {
            stallTimer = DispatchSource.makeTimerSource(queue: queue)
            stallTimer.setEventHandler { [self] in sendStallTimerFired() }
            stallTimer.resume()
            sendTimer = stallTimer
        }
        stallTimer.schedule(deadline: DispatchTime(uptimeNanoseconds: lastSendProgress + Self.nanoseconds(limits.sendTimeout)))
    }

    private func sendStallTimerFired() {
        guard sendStalled, !isClosed else { return }
        let deadline = lastSendProgress + Self.nanoseconds(limits.sendTimeout)
        if Self.now() >= deadline { return close() }
        sendTimer?.schedule(deadline: DispatchTime(uptimeNanoseconds: deadline))
    }

    private static func nanoseconds(_ seconds: Double) -> UInt64 { UInt64(max(seconds, 0) * 1_000_000_000) }

    // MARK: Lifecycle

    /// Server shutdown: idle connections close now; busy ones close after their answer.
    func drain() {
        queue.async { [self] in
            draining = true
            if current == nil && parser.phase == .idle && outboundOffset >= outbound.count {
                close()
            } else if current != nil {
                current?.keepAlive = false
            } else if parser.phase == .idle {
                // Only an answer is still being written: close once it is.
                closeWhenFlushed = true
            }
            // Otherwise a request is partly received: it is in flight too. Let it arrive
            // (under its header/body deadlines and the grace period); `dispatch` answers
            // it with `Connection: close` because `draining` is set.
        }
    }

    /// Closes at once, cancelling any request in flight.
    func forceClose() {
        queue.async { [self] in close() }
    }

    private func suspendReading() {
        guard !readSuspended else { return }
        readSuspended = true
        readSource.suspend()
    }

    private func resumeReading() {
        guard readSuspended, !inputClosed else { return }
        readSuspended = false
        readSource.resume()
    }

    private func close() {
        guard !isClosed else { return }
        isClosed = true
        timer.cancel()
        sendTimer?.cancel()
        readSource.cancel()
        writeSource.cancel()
        // A suspended source never delivers its cancel handler: resume it after cancelling.
        if readSuspended { readSuspended = false; readSource.resume() }
        if writeSuspended { writeSuspended = false; writeSource.resume() }
        current?.responder.cancel()
        current?.responder.reportFinished(status: Responder.clientClosedRequest, bodyBytes: current?.streamedBytes ?? 0)
        let waiters = flushWaiters
        flushWaiters.removeAll()
        for waiter in waiters { waiter.callback(false) }
    }

    private func sourceCancelled() {
        pendingSourceCancels -= 1
        guard pendingSourceCancels == 0 else { return }
        socket.close()
        current = nil
        onClose(id)
    }
}
