/// Decodes a `Transfer-Encoding: chunked` body (RFC 9112 §7.1) incrementally.
///
/// Strict by design, because lenient chunk parsing is a request-smuggling vector:
/// chunk-size lines must end in CRLF, take no whitespace, at most 15 hex digits,
/// and extensions must be well-formed `;name[=token|quoted-string]`; chunk data must be
/// followed by exactly CRLF. Trailer fields are validated like header fields and
/// then dropped.
struct ChunkedBodyDecoder {
    private enum State {
        case size
        case data(remaining: Int)
        case dataTerminator
        case trailer
        case done
    }

    /// Longest chunk-size line, extensions included.
    static let maxSizeLineBytes = 4096

    private var state = State.size
    /// Absolute index into the parser's buffer of the next byte to decode.
    private(set) var index: Int
    private(set) var body: [UInt8] = []
    private var trailerBytes = 0

    init(startingAt index: Int) {
        self.index = index
    }

    /// Consumes what it can of `buffer`; returns `true` once the last chunk and trailers are read.
    mutating func decode(_ buffer: [UInt8], limits: HTTPLimits) throws(HTTPError) -> Bool {
        while true {
            switch state {
            case .size:
                guard let line = try nextLine(buffer, limit: Self.maxSizeLineBytes, what: "chunk-size line") else { return false }
                let size = try Self.parseSizeLine(buffer[line])
                if size == 0 {
                    state = .trailer
                } else {
                    guard body.count + size <= limits.maxBodyBytes else {
                        throw HTTPError(.contentTooLarge, "chunked body exceeds \(limits.maxBodyBytes) bytes", code: "body_too_large")
                    }
                    state = .data(remaining: size)
                }
            case .data(let remaining):
                let available = min(remaining, buffer.count - index)
                guard available > 0 else { return false }
                body.append(contentsOf: buffer[index..<(index + available)])
                index += available
                state = remaining == available ? .dataTerminator : .data(remaining: remaining - available)
            case .dataTerminator:
                guard buffer.count - index >= 2 else { return false }
                guard buffer[index] == ByteClass.carriageReturn, buffer[index + 1] == ByteClass.lineFeed else {
                    throw .malformed("chunk data is not followed by CRLF")
                }
                index += 2
                state = .size
            case .trailer:
                let remainingBudget = limits.maxHeaderBytes - trailerBytes
                guard let line = try nextLine(buffer, limit: max(remainingBudget, 0), what: "trailer section") else { return false }
                trailerBytes += line.count + 2
                if line.isEmpty {
                    state = .done
                    return true
                }
                _ = try HeaderFieldLine.parse(buffer[line])
            case .done:
                return true
            }
        }
    }

    /// The next CRLF-terminated line (without CRLF), or nil when it has not fully arrived.
    private mutating func nextLine(_ buffer: [UInt8], limit: Int, what: String) throws(HTTPError) -> Range<Int>? {
        var cursor = index
        while cursor < buffer.count {
            if buffer[cursor] == ByteClass.lineFeed {
                guard cursor > index, buffer[cursor - 1] == ByteClass.carriageReturn else {
                    throw .malformed("\(what) ends in a bare LF")
                }
                let line = index..<(cursor - 1)
                if line.contains(where: { buffer[$0] == ByteClass.carriageReturn }) {
                    throw .malformed("\(what) contains a bare CR")
                }
                index = cursor + 1
                return line
            }
            cursor += 1
            if cursor - index > limit + 1 {
                if what == "trailer section" {
                    throw HTTPError(.requestHeaderFieldsTooLarge, "trailer section exceeds \(limit) bytes", code: "headers_too_large")
                }
                throw .malformed("\(what) exceeds \(limit) bytes")
            }
        }
        return nil
    }

    /// Parses `chunk-size [chunk-ext]`, returning the size.
    static func parseSizeLine(_ line: ArraySlice<UInt8>) throws(HTTPError) -> Int {
        var cursor = line.startIndex
        var size = 0
        var digits = 0
        while cursor < line.endIndex, let value = RequestTarget.hexValue(line[cursor]) {
            digits += 1
            guard digits <= 15 else { throw .malformed("chunk size has too many digits") }
            size = size << 4 | Int(value)
            cursor += 1
        }
        guard digits > 0 else { throw .malformed("chunk size is not a hexadecimal number") }
        try validateExtensions(line[cursor...])
        return size
    }

    /// Validates `*( ";" name [ "=" ( token / quoted-string ) ] )` with no whitespace.
    static func validateExtensions(_ text: ArraySlice<UInt8>) throws(HTTPError) {
        var cursor = text.startIndex
        while cursor < text.endIndex {
            guard text[cursor] == UInt8(ascii: ";") else { throw .malformed("invalid character after chunk size") }
            cursor += 1
            let nameStart = cursor
            while cursor < text.endIndex, ByteClass.isToken(text[cursor]) { cursor += 1 }
            guard cursor > nameStart else { throw .malformed("chunk extension has an empty name") }
            guard cursor < text.endIndex, text[cursor] == UInt8(ascii: "=") else { continue }
            cursor += 1
            if cursor < text.endIndex, text[cursor] == UInt8(ascii: "\"") {
                cursor += 1
                var closed = false
                while cursor < text.endIndex {
                    let byte = text[cursor]
                    if byte == UInt8(ascii: "\"") { closed = true; cursor += 1; break }
                    if byte == UInt8(ascii: "\\") {
                        cursor += 1
                        guard cursor < text.endIndex, ByteClass.isFieldValue(text[cursor]) else {
                            throw .malformed("chunk extension has an invalid quoted-pair")
                        }
                    } else if !ByteClass.isQuotedText(byte) {
                        throw .malformed("chunk extension value has an invalid character")
                    }
                    cursor += 1
                }
                guard closed else { throw .malformed("chunk extension has an unterminated quoted string") }
            } else {
                let valueStart = cursor
                while cursor < text.endIndex, ByteClass.isToken(text[cursor]) { cursor += 1 }
                guard cursor > valueStart else { throw .malformed("chunk extension has an empty value") }
            }
        }
    }
}
