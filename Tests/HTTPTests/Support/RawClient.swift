import Foundation
@_exported import TestSupport
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
