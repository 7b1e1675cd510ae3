/// The decoded parts of a request target (RFC 9112 §3.2): path, its segments and the query.
///
/// The path is percent-decoded segment by segment. A segment that decodes to `..`, or
/// contains `/` or NUL after decoding, is refused, so no route ever sees a path that
/// climbs out of its prefix; `.` segments are dropped.
struct RequestTarget: Equatable {
    var path: String
    var segments: [String]
    var query: [Query]

    struct Query: Equatable {
        var name: String
        var value: String
    }

    /// Parses an origin-form (`/a/b?x=1`), absolute-form (`http://h/a`) or asterisk-form target.
    static func parse(_ raw: String, method: HTTPMethod) throws(HTTPError) -> RequestTarget {
        if raw == "*" {
            guard method == .options else { throw .malformed("asterisk-form target is only valid for OPTIONS") }
            return RequestTarget(path: "*", segments: [], query: [])
        }
        var remainder = Substring(raw)
        if raw.utf8.first != UInt8(ascii: "/"), hasSchemePrefix(raw, "http://") || hasSchemePrefix(raw, "https://") {
            // absolute-form: drop scheme and authority; the path defaults to "/".
            let afterScheme = remainder[remainder.index(remainder.firstIndex(of: ":") ?? remainder.startIndex, offsetBy: 3)...]
            guard let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else {
                guard !afterScheme.isEmpty else { throw .malformed("absolute-form target has no authority") }
                return RequestTarget(path: "/", segments: [], query: [])
            }
            guard slash > afterScheme.startIndex else { throw .malformed("absolute-form target has no authority") }
            remainder = afterScheme[slash...]
            if remainder.first == "?" { remainder = "/" + remainder }
        }
        guard remainder.first == "/" else { throw .malformed("request target must start with '/'") }

        let pathPart: Substring
        var queryPart: Substring = ""
        if let mark = remainder.firstIndex(of: "?") {
            pathPart = remainder[..<mark]
            queryPart = remainder[remainder.index(after: mark)...]
        } else {
            pathPart = remainder
        }
        if let hash = queryPart.firstIndex(of: "#") { queryPart = queryPart[..<hash] }

        var segments: [String] = []
        for rawSegment in pathPart.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let segment = try percentDecode(rawSegment, plusIsSpace: false)
            if segment.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == 0 }) {
                throw .malformed("path segment '\(rawSegment)' decodes to a separator or NUL")
            }
            if segment == ".." { throw .malformed("path traversal ('..') is not allowed") }
            if segment == "." { continue }
            segments.append(segment)
        }
        var query: [Query] = []
        for pair in queryPart.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try percentDecode(parts[0], plusIsSpace: true)
            let value = parts.count > 1 ? try percentDecode(parts[1], plusIsSpace: true) : ""
            query.append(Query(name: name, value: value))
        }
        return RequestTarget(path: "/" + segments.joined(separator: "/"), segments: segments, query: query)
    }

    /// Decodes `%XX` escapes (and `+` in queries); invalid escapes or UTF-8 are errors.
    static func percentDecode(_ text: Substring, plusIsSpace: Bool) throws(HTTPError) -> String {
        // Byte-level checks: `Substring.contains("%")` resolves to Foundation's
        // locale-aware substring search, which dominated this function's cost.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw .malformed("invalid percent-encoding in '\(text)'")
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("percent-encoding in '\(text)' is not valid UTF-8")
        }
        return decoded
    }

    /// Whether `raw` starts with the lower-case ASCII `prefix`, ignoring case.
    private static func hasSchemePrefix(_ raw: String, _ prefix: String) -> Bool {
        let bytes = raw.utf8
        guard bytes.count >= prefix.utf8.count else { return false }
        return zip(bytes, prefix.utf8).allSatisfy { a, b in a == b || (a | 0x20) == b }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
