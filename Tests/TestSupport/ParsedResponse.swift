import Foundation

/// One HTTP/1.1 response as a test client read it off a real socket: status, header
/// fields in order, and the body de-chunked. Shared by the HTTP and Service test suites,
/// whose loopback clients differ in what they send but parse answers the same way.
public struct ParsedResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    public var closesConnection: Bool { header("Connection")?.lowercased() == "close" }

    /// Parses one response from the start of `bytes`, returning it and the bytes it used;
    /// nil when incomplete. `expectBody: false` reads only the head (answers to HEAD).
    public static func parse(_ bytes: [UInt8], expectBody: Bool = true) -> (ParsedResponse, Int)? {
        guard let headEnd = find([13, 10, 13, 10], in: bytes, from: 0) else { return nil }
        var lines = String(decoding: bytes[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = ParsedResponse(status: status, headers: headers, body: [])
        var cursor = headEnd + 4
        if status == 100 || status == 204 || status == 304 || !expectBody { return (response, cursor) }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while true {
                guard let lineEnd = find([13, 10], in: bytes, from: cursor),
                      let size = Int(String(decoding: bytes[cursor..<lineEnd], as: UTF8.self), radix: 16) else { return nil }
                cursor = lineEnd + 2
                if size == 0 {
                    guard bytes.count >= cursor + 2 else { return nil }
                    return (response, cursor + 2)
                }
                guard bytes.count >= cursor + size + 2 else { return nil }
                response.body.append(contentsOf: bytes[cursor..<(cursor + size)])
                cursor += size + 2
            }
        }
        let length = Int(response.header("Content-Length") ?? "0") ?? 0
        guard bytes.count >= cursor + length else { return nil }
        response.body = Array(bytes[cursor..<(cursor + length)])
        return (response, cursor + length)
    }

    /// The first index of `needle` in `haystack` at or after `start`.
    public static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
