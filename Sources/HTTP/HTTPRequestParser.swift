/// An incremental HTTP/1.1 request parser (RFC 9112) over the bytes of one connection.
///
/// Feed bytes with `append(_:)`, then call `nextEvent()` until it returns
/// `.needsMoreData`. Requests come out in arrival order, which is how pipelined
/// requests get answered in order. Any `HTTPError` thrown leaves the stream
/// unframed: the connection must answer it and close.
///
/// Framing follows RFC 9112 §6.3 in this priority: `Transfer-Encoding` (only with
/// `chunked` as the final and only coding), else one valid `Content-Length`, else no
/// body. Requests never read to end of stream.
struct HTTPRequestParser {
    enum Event {
        /// The buffered bytes do not yet hold a complete request.
        case needsMoreData
        /// The head asked for `100-continue` and its body has not arrived yet:
        /// the connection sends the interim response, then keeps reading.
        case expectsContinue
        case request(HTTPRequest)
    }

    /// What the parser is waiting for, so the connection can pick the matching timeout.
    enum Phase: Equatable {
        case idle
        case head
        case body
    }

    private struct Head {
        var method: HTTPMethod
        var target: String
        var version: HTTPVersion
        var decodedTarget: RequestTarget
        var headers: HTTPHeaders
        var expectsContinue: Bool
    }

    private enum Framing {
        case length(Int)
        case chunked(ChunkedBodyDecoder)
    }

    private enum State {
        case head
        case body(Head, Framing, bodyStart: Int, continueSignalled: Bool)
    }

    let limits: HTTPLimits
    private var buffer: [UInt8] = []
    /// Index of the first byte of the request being parsed.
    private var requestStart = 0
    /// Head-scanning progress, so bytes are examined once even when they trickle in.
    private var scanIndex = 0
    private var lineStart = 0
    private var lines: [Range<Int>] = []
    private var state = State.head

    init(limits: HTTPLimits) {
        self.limits = limits
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received but not yet consumed by a returned request.
    var bufferedByteCount: Int { buffer.count - requestStart }

    var phase: Phase {
        switch state {
        case .body: return .body
        case .head:
            let pending = buffer[requestStart...]
            return pending.allSatisfy { $0 == ByteClass.carriageReturn || $0 == ByteClass.lineFeed } ? .idle : .head
        }
    }

    mutating func nextEvent() throws(HTTPError) -> Event {
        switch state {
        case .head:
            guard let head = try scanHead() else { return .needsMoreData }
            let framing = try framing(of: head)
            state = .body(head, framing, bodyStart: scanIndex, continueSignalled: false)
            return try continueBody()
        case .body:
            return try continueBody()
        }
    }

    // MARK: Head

    private mutating func scanHead() throws(HTTPError) -> Head? {
        while scanIndex < buffer.count {
            let byte = buffer[scanIndex]
            if byte == ByteClass.lineFeed {
                guard scanIndex > lineStart, buffer[scanIndex - 1] == ByteClass.carriageReturn else {
                    throw .malformed("line ends in a bare LF")
                }
                let line = lineStart..<(scanIndex - 1)
                scanIndex += 1
                lineStart = scanIndex
                if line.isEmpty {
                    // RFC 9112 §2.2: ignore empty lines before the request line.
                    if lines.isEmpty { continue }
                    return try parseHead()
                }
                lines.append(line)
                if lines.count - 1 > limits.maxHeaderCount {
                    throw HTTPError(.requestHeaderFieldsTooLarge, "more than \(limits.maxHeaderCount) header fields", code: "headers_too_large")
                }
                continue
            }
            scanIndex += 1
            if lines.isEmpty {
                if scanIndex - lineStart > limits.maxRequestLineBytes + 1 {
                    throw HTTPError(.uriTooLong, "request line exceeds \(limits.maxRequestLineBytes) bytes", code: "request_line_too_long")
                }
                if scanIndex - requestStart > limits.maxRequestLineBytes + limits.maxHeaderBytes {
                    throw HTTPError(.requestHeaderFieldsTooLarge, "too many empty lines before the request line", code: "headers_too_large")
                }
            } else if scanIndex - lines[0].upperBound > limits.maxHeaderBytes + 3 {
                // Counted from the request line's CRLF (2 bytes): the header section is
                // its field lines with their CRLFs, and may be exactly `maxHeaderBytes`;
                // the CR of the terminating empty line is the one extra byte allowed.
                throw HTTPError(.requestHeaderFieldsTooLarge, "header section exceeds \(limits.maxHeaderBytes) bytes", code: "headers_too_large")
            }
        }
        return nil
    }

    private func parseHead() throws(HTTPError) -> Head {
        let requestLine = buffer[lines[0]]
        if requestLine.contains(ByteClass.carriageReturn) { throw .malformed("request line contains a bare CR") }
        let parts = requestLine.split(separator: ByteClass.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else {
            throw .malformed("request line must be 'method SP target SP version'")
        }
        guard parts[0].allSatisfy(ByteClass.isToken) else { throw .malformed("invalid request method") }
        guard parts[1].allSatisfy(ByteClass.isVisible) else { throw .malformed("invalid character in request target") }
        let version = try Self.parseVersion(parts[2])
        let method = HTTPMethod(rawValue: String(decoding: parts[0], as: UTF8.self))
        let target = String(decoding: parts[1], as: UTF8.self)

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            let field = try HeaderFieldLine.parse(buffer[line])
            headers.add(field.name, field.value)
        }
        let decodedTarget = try RequestTarget.parse(target, method: method)
        try Self.validateHost(headers, version: version)
        let expectsContinue = try Self.expectation(headers, version: version)
        return Head(method: method, target: target, version: version, decodedTarget: decodedTarget,
                    headers: headers, expectsContinue: expectsContinue)
    }

    private static func parseVersion(_ text: ArraySlice<UInt8>) throws(HTTPError) -> HTTPVersion {
        let string = String(decoding: text, as: UTF8.self)
        if let version = HTTPVersion(rawValue: string) { return version }
        let bytes = Array(text)
        if bytes.count == 8, string.hasPrefix("HTTP/"), ByteClass.isDigit(bytes[5]), bytes[6] == UInt8(ascii: "."), ByteClass.isDigit(bytes[7]) {
            // RFC 9110 §2.5: a higher minor version of a major version we implement is
            // processed as the highest minor version we support.
            if bytes[5] == UInt8(ascii: "1") { return .http1_1 }
            throw HTTPError(.httpVersionNotSupported, "\(string) is not supported", code: "version_not_supported")
        }
        throw .malformed("invalid HTTP version")
    }

    /// RFC 9112 §3.2: exactly one `Host` in HTTP/1.1, at most one in HTTP/1.0, well-formed.
    private static func validateHost(_ headers: HTTPHeaders, version: HTTPVersion) throws(HTTPError) {
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 { throw .malformed("more than one Host header") }
        if hosts.isEmpty && version == .http1_1 { throw .malformed("missing Host header") }
        if let host = hosts.first, !host.utf8.allSatisfy(ByteClass.isHostCharacter) {
            throw .malformed("invalid Host header")
        }
    }

    /// RFC 9110 §10.1.1: `100-continue` is the only expectation; HTTP/1.0 requests ignore it.
    private static func expectation(_ headers: HTTPHeaders, version: HTTPVersion) throws(HTTPError) -> Bool {
        guard version == .http1_1, headers.contains("Expect") else { return false }
        guard headers.tokens(for: "Expect") == ["100-continue"] else {
            throw HTTPError(.expectationFailed, "only 'Expect: 100-continue' is supported", code: "expectation_failed")
        }
        return true
    }

    private func framing(of head: Head) throws(HTTPError) -> Framing {
        let lengths = head.headers.values(for: "Content-Length")
        if head.headers.contains("Transfer-Encoding") {
            guard lengths.isEmpty else {
                throw .malformed("Content-Length and Transfer-Encoding cannot both be present")
            }
            guard head.version == .http1_1 else {
                throw .malformed("Transfer-Encoding is not allowed in an HTTP/1.0 request")
            }
            let codings = head.headers.tokens(for: "Transfer-Encoding")
            guard codings.last == "chunked" else {
                throw .malformed("Transfer-Encoding must end with 'chunked'")
            }
            guard codings.count == 1 else {
                if codings.filter({ $0 == "chunked" }).count > 1 { throw .malformed("'chunked' applied more than once") }
                throw HTTPError(.notImplemented, "transfer coding '\(codings[0])' is not supported", code: "unsupported_transfer_coding")
            }
            return .chunked(ChunkedBodyDecoder(startingAt: scanIndex))
        }
        guard !lengths.isEmpty else { return .length(0) }
        var length: Int?
        for element in lengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let text = element.trimmingWhitespace()
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(ByteClass.isDigit), let value = Int(text) else {
                throw .malformed("invalid Content-Length '\(element)'")
            }
            if let length, length != value { throw .malformed("conflicting Content-Length values") }
            length = value
        }
        let bodyLength = length ?? 0
        guard bodyLength <= limits.maxBodyBytes else {
            throw HTTPError(.contentTooLarge, "body of \(bodyLength) bytes exceeds \(limits.maxBodyBytes)", code: "body_too_large")
        }
        return .length(bodyLength)
    }

    // MARK: Body

    private mutating func continueBody() throws(HTTPError) -> Event {
        guard case .body(let head, var framing, let bodyStart, let continueSignalled) = state else { return .needsMoreData }
        let body: [UInt8]
        switch framing {
        case .length(let length):
            guard buffer.count - bodyStart >= length else {
                return signalContinue(head: head, framing: framing, bodyStart: bodyStart, alreadySignalled: continueSignalled)
            }
            body = Array(buffer[bodyStart..<(bodyStart + length)])
            scanIndex = bodyStart + length
        case .chunked(var decoder):
            // Drop the other references to the decoder (in `state` and `framing`) so its
            // body buffer is uniquely owned: otherwise every append copies the whole body
            // decoded so far (copy-on-write), which is quadratic in the body size.
            state = .head
            framing = .length(0)
            let finished = try decoder.decode(buffer, limits: limits)
            framing = .chunked(decoder)
            guard finished else {
                return signalContinue(head: head, framing: framing, bodyStart: bodyStart, alreadySignalled: continueSignalled)
            }
            body = decoder.body
            scanIndex = decoder.index
        }
        let request = HTTPRequest(
            method: head.method, target: head.target, version: head.version,
            path: head.decodedTarget.path, pathSegments: head.decodedTarget.segments,
            queryItems: head.decodedTarget.query.map { ($0.name, $0.value) },
            headers: head.headers, body: body
        )
        finishRequest()
        return .request(request)
    }

    private mutating func signalContinue(head: Head, framing: Framing, bodyStart: Int, alreadySignalled: Bool) -> Event {
        let signal = head.expectsContinue && !alreadySignalled
        state = .body(head, framing, bodyStart: bodyStart, continueSignalled: alreadySignalled || signal)
        return signal ? .expectsContinue : .needsMoreData
    }

    /// Drops the consumed request's bytes and resets head scanning for the next one.
    private mutating func finishRequest() {
        buffer.removeSubrange(0..<scanIndex)
        requestStart = 0
        scanIndex = 0
        lineStart = 0
        lines.removeAll(keepingCapacity: true)
        state = .head
    }
}
