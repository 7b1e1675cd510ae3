import Foundation
@_exported import TestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Why the test client could not complete an exchange.
struct ClientError: Error, CustomStringConvertible {
    let description: String
}

/// A response as the test client read it off the socket.
typealias ClientResponse = ParsedResponse

/// A blocking loopback HTTP/1.1 client over a plain POSIX socket: it writes exactly the
/// bytes a peer would send and parses what comes back, with a receive timeout so a
/// missing answer fails the test instead of hanging it.
final class BlockingHTTPClient: @unchecked Sendable {
    let descriptor: Int32
    private var pending: [UInt8] = []
    private var closed = false

    init(port: UInt16, receiveTimeout: Double = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClientError(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // A connect interrupted by a signal goes on in the background; EISCONN/EALREADY
        // then mean it completed or is completing (loopback: at once).
        guard status == 0 || errno == EINTR else {
            let code = errno
            Glibc.close(descriptor)
            throw ClientError(description: "connect to port \(port): errno \(code)")
        }
        setReceiveTimeout(receiveTimeout)
    }

    deinit { close() }

    /// Closes the socket (a full close: the server sees end of stream).
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }

    func setReceiveTimeout(_ seconds: Double) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - floor(seconds)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw ClientError(description: "send: errno \(errno)") }
            offset += count
        }
    }

    /// Writes one request; a body gets `Content-Type: application/json` unless the headers give one.
    func sendRequest(_ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil) throws {
        try sendRequest(method, path, headers: headers, bodyBytes: body.map { Array($0.utf8) })
    }

    /// `sendRequest` with a binary body (an image upload, say).
    func sendRequest(_ method: String, _ path: String, headers: [(String, String)] = [], bodyBytes: [UInt8]?) throws {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        var bytes: [UInt8] = []
        if let bodyBytes {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { text += "Content-Type: application/json\r\n" }
            text += "Content-Length: \(bodyBytes.count)\r\n\r\n"
            bytes = Array(text.utf8) + bodyBytes
        } else {
            bytes = Array((text + "\r\n").utf8)
        }
        try send(bytes)
    }

    /// Reads one complete response; throws when the peer closes or the timeout passes first.
    func readResponse() throws -> ClientResponse {
        while true {
            if let (response, consumed) = ClientResponse.parse(pending) {
                pending.removeFirst(consumed)
                return response
            }
            guard try receiveMore() else {
                throw ClientError(description: "connection closed or timed out before a full response (\(pending.count) bytes read)")
            }
        }
    }

    /// Reads whatever arrives until the peer closes or the timeout passes; returns everything read.
    func readUntilClosed(timeout: Double = 10) -> [UInt8] {
        setReceiveTimeout(timeout)
        while (try? receiveMore()) == true {}
        defer { pending.removeAll() }
        return pending
    }

    /// Reads more bytes into the buffer; false at end of stream or timeout.
    private func receiveMore() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var count: Int
        repeat {
            // EINTR: a signal (SIGCHLD from the process tests' children) hit this thread.
            count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        } while count < 0 && errno == EINTR
        guard count > 0 else { return false }
        pending.append(contentsOf: buffer[0..<count])
        return true
    }

    /// Bytes buffered so far without blocking (used to watch a stream grow).
    var bufferedText: String { String(decoding: pending, as: UTF8.self) }

    /// Receives until `predicate` holds for the buffered text or `timeout` passes.
    func receive(until predicate: (String) -> Bool, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        setReceiveTimeout(0.05)
        while Date() < deadline {
            if predicate(bufferedText) { return true }
            _ = try? receiveMore()
        }
        return predicate(bufferedText)
    }
}

/// One-shot requests: a fresh connection each, closed afterwards.
enum HTTP1 {
    static func request(
        port: UInt16, _ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil,
        timeout: Double = 20
    ) throws -> ClientResponse {
        try request(port: port, method, path, headers: headers, bodyBytes: body.map { Array($0.utf8) }, timeout: timeout)
    }

    static func request(
        port: UInt16, _ method: String, _ path: String, headers: [(String, String)] = [], bodyBytes: [UInt8]?,
        timeout: Double = 20
    ) throws -> ClientResponse {
        let started = Date()
        let client = try BlockingHTTPClient(port: port, receiveTimeout: timeout)
        defer { client.close() }
        do {
            try client.sendRequest(method, path, headers: headers + [("Connection", "close")], bodyBytes: bodyBytes)
            return try client.readResponse()
        } catch {
            throw ClientError(description: "\(method) \(path) on port \(port) after \(String(format: "%.3f", Date().timeIntervalSince(started))) s: \(error) (errno \(errno))")
        }
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
@discardableResult
func eventually(timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return try condition()
}

/// Runs `body(index)` on `count` fresh threads at once (not Dispatch's pool, whose width
/// is the core count) and returns the results in index order.
func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = Locked<[Int: T]>([:])
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            let value = body(index)
            results.withLock { $0[index] = value }
            group.leave()
        }
        thread.start()
    }
    group.wait()
    return results.withLock { dictionary in (0..<count).compactMap { dictionary[$0] } }
}

/// Runs `body` on a fresh thread; `wait()` returns its result.
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var value: T?

    init(_ body: @escaping @Sendable () -> T) {
        let thread = Thread { [self] in
            value = body()
            done.signal()
        }
        thread.start()
    }

    func wait(timeout: Double = 30) -> T? {
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        return value
    }
}

/// A mutex-guarded value that closures can share (Mutex itself is noncopyable).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: Value { withLock { $0 } }
}
