import Foundation
@testable import HTTP

#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback TCP client that sends raw bytes and reads raw responses, so
/// tests exercise the real socket layer with exactly the bytes a peer would send.
final class RawClient {
    let descriptor: Int32

    init(port: UInt16, receiveTimeout: Double = 5) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError.failed(call: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(descriptor)
            throw SocketError.failed(call: "connect", errno: code)
        }
        setReceiveTimeout(receiveTimeout)
    }

    deinit { close(descriptor) }

    func setReceiveTimeout(_ seconds: Double) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - floor(seconds)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            offset += count
        }
    }

    /// Sends `text` from a background thread (for senders that block on a full socket
    /// while the test reads); the bytes go out in order, stopping at the first error.
    func sendInBackground(_ text: String) {
        // The thread writes through its own duplicate of the descriptor, so a number
        // reused after this client closes can never receive these bytes.
        let descriptor = dup(descriptor)
        let bytes = Array(text.utf8)
        Thread {
            defer { close(descriptor) }
            var offset = 0
            while offset < bytes.count {
                let count = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if count <= 0 { return }
                offset += count
            }
        }.start()
    }

    /// Half-closes the sending side (the server sees end of stream).
    func shutdownWrite() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Reads until the peer closes or the receive timeout passes.
    func readAll() -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }

    private var pending: [UInt8] = []

    /// Reads exactly one response (status line, headers, body framed by Content-Length
    /// or chunked); nil when the connection closed or timed out first.
    /// `expectBody: false` is for answers to HEAD, whose `Content-Length` describes a
    /// body that is never sent.
    func readResponse(expectBody: Bool = true) -> ParsedResponse? {
        while true {
            if let (response, consumed) = ParsedResponse.parse(pending, expectBody: expectBody) {
                pending.removeFirst(consumed)
                return response
            }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            pending.append(contentsOf: buffer[0..<count])
        }
    }

    /// Bytes received but not yet consumed by `readResponse`.
    var unconsumed: [UInt8] { pending }

    /// Reads whatever arrives within `seconds` (at most `limit` bytes), without parsing.
    func readAvailable(within seconds: Double, limit: Int = 1 << 20) -> [UInt8] {
        setReceiveTimeout(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, min($0.count, limit), 0) }
        guard count > 0 else { return [] }
        pending.append(contentsOf: buffer[0..<count])
        return Array(buffer[0..<count])
    }

    /// Sets the kernel receive buffer size (small values make a slow reader).
    func setReceiveBufferSize(_ bytes: Int32) {
        var value = bytes
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Reads exactly `count` raw bytes (or fewer if the peer closes), `chunk` at a time,
    /// sleeping `pause` seconds between reads: a deliberately slow reader.
    func readSlowly(count: Int, chunk: Int, pause: Double) -> [UInt8] {
        var result = pending
        pending.removeAll()
        var buffer = [UInt8](repeating: 0, count: chunk)
        while result.count < count {
            let want = min(chunk, count - result.count)
            let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, want, 0) }
            if got <= 0 { break }
            result.append(contentsOf: buffer[0..<got])
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
        return result
    }

    /// True when the server has closed the connection (read returns 0 or reset).
    func isClosedByPeer(within seconds: Double = 2) -> Bool {
        setReceiveTimeout(seconds)
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, 0)
        if count == 0 { return true }
        if count < 0 { return errno == ECONNRESET }
        pending.append(byte)
        return false
    }
}

/// A response as the test client read it.
struct ParsedResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    var closesConnection: Bool { header("Connection")?.lowercased() == "close" }

    /// Parses one response from the start of `bytes`; nil when incomplete.
    static func parse(_ bytes: [UInt8], expectBody: Bool = true) -> (ParsedResponse, Int)? {
        guard let headEnd = find([13, 10, 13, 10], in: bytes, from: 0) else { return nil }
        let headText = String(decoding: bytes[0..<headEnd], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
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
                guard let lineEnd = find([13, 10], in: bytes, from: cursor) else { return nil }
                let sizeText = String(decoding: bytes[cursor..<lineEnd], as: UTF8.self)
                guard let size = Int(sizeText, radix: 16) else { return nil }
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

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<(index + needle.count)]) == needle { return index }
        }
        return nil
    }
}
