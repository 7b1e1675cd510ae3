/// A parsed `multipart/form-data` body (RFC 7578 over RFC 2046 §5.1).
///
/// Used for `curl -F image=@photo.jpg -F steps=4`: each part has a field name, an
/// optional file name and content type, and its bytes. Parsing is strict and bounded
/// (part count, per-part header bytes) because the bytes come from untrusted clients:
/// anything malformed is a `MultipartError` naming the problem, never a crash.
public struct MultipartFormData: Sendable {
    public struct Part: Sendable, Equatable {
        /// The `name` parameter of `Content-Disposition: form-data`.
        public var name: String
        /// The `filename` parameter, when the part is a file.
        public var fileName: String?
        /// The part's `Content-Type` (RFC 7578 §4.4 default `text/plain`).
        public var contentType: String
        public var body: [UInt8]

        /// The body as UTF-8 text (for plain fields).
        public var text: String? { String(validating: body, as: UTF8.self) }
    }

    public var parts: [Part]

    /// The first part named `name`.
    public func part(named name: String) -> Part? { parts.first { $0.name == name } }

    /// Limits on untrusted input.
    public struct Limits: Sendable {
        public var maxParts = 64
        public var maxPartHeaderBytes = 8 * 1024

        public init() {}
    }

    /// The boundary from a `Content-Type: multipart/form-data; boundary=…` value, or nil
    /// when the media type is something else.
    public static func boundary(fromContentType value: String) throws(MultipartError) -> String? {
        let pieces = value.split(separator: ";").map { $0.trimmingWhitespace() }
        guard let mediaType = pieces.first?.lowercased(), mediaType == "multipart/form-data" else { return nil }
        for parameter in pieces.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingWhitespace().lowercased() == "boundary" else { continue }
            var boundary = pair[1].trimmingWhitespace()
            if boundary.hasPrefix("\"") && boundary.hasSuffix("\"") && boundary.count >= 2 {
                boundary = String(boundary.dropFirst().dropLast())
            }
            // RFC 2046 §5.1.1: 1–70 characters.
            guard (1...70).contains(boundary.utf8.count), boundary.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw .invalidBoundary
            }
            return boundary
        }
        throw .invalidBoundary
    }

    /// Parses `body` delimited by `boundary`.
    public init(parsing body: [UInt8], boundary: String, limits: Limits = Limits()) throws(MultipartError) {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = [ByteClass.carriageReturn, ByteClass.lineFeed] + delimiter
        guard var cursor = Self.find(delimiter, in: body, from: 0) else { throw .missingBoundary }
        // Anything before the first delimiter is preamble; the delimiter must start a line.
        guard cursor == 0 || (cursor >= 2 && body[cursor - 2] == ByteClass.carriageReturn && body[cursor - 1] == ByteClass.lineFeed) else {
            throw .missingBoundary
        }
        cursor += delimiter.count
        var parts: [Part] = []
        while true {
            // After a delimiter: "--" closes the body, CRLF opens a part (transport padding allowed).
            if body.count - cursor >= 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") {
                break
            }
            while cursor < body.count, body[cursor] == ByteClass.space || body[cursor] == ByteClass.tab { cursor += 1 }
            guard body.count - cursor >= 2, body[cursor] == ByteClass.carriageReturn, body[cursor + 1] == ByteClass.lineFeed else {
                throw .malformedDelimiter
            }
            cursor += 2
            guard parts.count < limits.maxParts else { throw .tooManyParts(limit: limits.maxParts) }
            let headerEnd: Int
            if body.count - cursor >= 2, body[cursor] == ByteClass.carriageReturn, body[cursor + 1] == ByteClass.lineFeed {
                headerEnd = cursor - 2  // no part headers: the blank line follows the delimiter's CRLF
            } else if let found = Self.find([13, 10, 13, 10], in: body, from: cursor, limit: limits.maxPartHeaderBytes + 4) {
                headerEnd = found
            } else {
                if body.count - cursor > limits.maxPartHeaderBytes { throw .partHeadersTooLarge(limit: limits.maxPartHeaderBytes) }
                throw .truncated
            }
            let headerBytes = headerEnd >= cursor ? Array(body[cursor..<headerEnd]) : []
            let contentStart = headerEnd + 4
            guard let next = Self.find(separator, in: body, from: contentStart) else { throw .truncated }
            parts.append(try Self.part(headers: headerBytes, body: Array(body[contentStart..<next])))
            cursor = next + separator.count
        }
        self.parts = parts
    }

    private static func part(headers: [UInt8], body: [UInt8]) throws(MultipartError) -> Part {
        var name: String?
        var fileName: String?
        var contentType = "text/plain"
        var lineStart = 0
        while lineStart < headers.count {
            let lineEnd = find([13, 10], in: headers, from: lineStart) ?? headers.count
            let field: HeaderFieldLine
            do {
                field = try HeaderFieldLine.parse(headers[lineStart..<lineEnd])
            } catch {
                throw .malformedPartHeader(error.reason)
            }
            switch field.name.lowercased() {
            case "content-disposition":
                let parameters = try dispositionParameters(field.value)
                name = parameters["name"]
                fileName = parameters["filename"]
            case "content-type":
                contentType = field.value
            default:
                break
            }
            lineStart = lineEnd + 2
        }
        guard let name else { throw .missingName }
        return Part(name: name, fileName: fileName, contentType: contentType, body: body)
    }

    /// Parses `form-data; name="x"; filename="y"` (quoted strings with `\` escapes, or tokens).
    static func dispositionParameters(_ value: String) throws(MultipartError) -> [String: String] {
        let bytes = Array(value.utf8)
        var cursor = 0
        func skipWhitespace() { while cursor < bytes.count, bytes[cursor] == ByteClass.space || bytes[cursor] == ByteClass.tab { cursor += 1 } }
        let typeStart = cursor
        while cursor < bytes.count, ByteClass.isToken(bytes[cursor]) { cursor += 1 }
        guard String(decoding: bytes[typeStart..<cursor], as: UTF8.self).lowercased() == "form-data" else {
            throw .malformedPartHeader("Content-Disposition must be form-data")
        }
        var parameters: [String: String] = [:]
        while true {
            skipWhitespace()
            guard cursor < bytes.count else { return parameters }
            guard bytes[cursor] == UInt8(ascii: ";") else { throw .malformedPartHeader("expected ';' in Content-Disposition") }
            cursor += 1
            skipWhitespace()
            let nameStart = cursor
            while cursor < bytes.count, ByteClass.isToken(bytes[cursor]) { cursor += 1 }
            guard cursor > nameStart, cursor < bytes.count, bytes[cursor] == UInt8(ascii: "=") else {
                throw .malformedPartHeader("invalid Content-Disposition parameter")
            }
            let key = String(decoding: bytes[nameStart..<cursor], as: UTF8.self).lowercased()
            cursor += 1
            var valueBytes: [UInt8] = []
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") {
                cursor += 1
                var closed = false
                while cursor < bytes.count {
                    let byte = bytes[cursor]
                    cursor += 1
                    if byte == UInt8(ascii: "\"") { closed = true; break }
                    if byte == UInt8(ascii: "\\"), cursor < bytes.count {
                        valueBytes.append(bytes[cursor])
                        cursor += 1
                    } else {
                        valueBytes.append(byte)
                    }
                }
                guard closed else { throw .malformedPartHeader("unterminated quoted string in Content-Disposition") }
            } else {
                while cursor < bytes.count, ByteClass.isToken(bytes[cursor]) {
                    valueBytes.append(bytes[cursor])
                    cursor += 1
                }
            }
            parameters[key] = String(decoding: valueBytes, as: UTF8.self)
        }
    }

    /// The first index of `needle` in `haystack` at or after `start`, looking at most
    /// `limit` bytes ahead when given.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int, limit: Int? = nil) -> Int? {
        guard !needle.isEmpty, start >= 0 else { return nil }
        let end = min(haystack.count, limit.map { start + $0 } ?? haystack.count)
        guard end - start >= needle.count else { return nil }
        let first = needle[0]
        var index = start
        while index <= end - needle.count {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}

/// Why a `multipart/form-data` body was refused (answered 400, or 413 for limits).
public enum MultipartError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidBoundary
    case missingBoundary
    case malformedDelimiter
    case truncated
    case tooManyParts(limit: Int)
    case partHeadersTooLarge(limit: Int)
    case malformedPartHeader(String)
    case missingName

    public var description: String {
        switch self {
        case .invalidBoundary: return "the multipart boundary parameter is missing or invalid"
        case .missingBoundary: return "the body does not start with the multipart boundary"
        case .malformedDelimiter: return "a multipart delimiter is not followed by CRLF or '--'"
        case .truncated: return "the multipart body ends before its closing delimiter"
        case .tooManyParts(let limit): return "more than \(limit) parts"
        case .partHeadersTooLarge(let limit): return "a part's headers exceed \(limit) bytes"
        case .malformedPartHeader(let reason): return "malformed part header: \(reason)"
        case .missingName: return "a part has no Content-Disposition name"
        }
    }
}
