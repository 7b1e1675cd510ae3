import Foundation
import Testing
@testable import HTTP

#if canImport(Glibc)
import Glibc
#endif

/// `Socket.listening`: IPv4, IPv6 and dual-stack binding, ephemeral ports, and errors
/// for addresses that cannot be bound.
@Suite struct SocketTests {
    /// Connects to `address` (an IPv6 literal) on `port`, sends a GET and returns the answer's status line.
    static func statusLine(ipv6 address: String, port: UInt16) throws -> String {
        let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var target = sockaddr_in6()
        target.sin6_family = sa_family_t(AF_INET6)
        target.sin6_port = port.bigEndian
        try #require(inet_pton(AF_INET6, address, &target.sin6_addr) == 1)
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        try #require(connected == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /healthz HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        try #require(count > 0)
        return String(decoding: buffer[0..<count], as: UTF8.self).components(separatedBy: "\r\n")[0]
    }

    static func server(host: String) throws -> HTTPServer {
        var router = Router()
        router.get("/healthz") { _, responder in responder.send(.json(["status": "ok"])) }
        let server = HTTPServer(configuration: .init(host: host, port: 0), handler: router)
        try server.start()
        return server
    }

    @Test func ipv6LoopbackIsServed() throws {
        let server = try Self.server(host: "::1")
        defer { server.stopAndWait(gracePeriod: 1) }
        #expect(server.port > 0)
        #expect(try Self.statusLine(ipv6: "::1", port: server.port) == "HTTP/1.1 200 OK")
    }

    @Test func ipv6WildcardAlsoAcceptsIPv4Clients() throws {
        let server = try Self.server(host: "::")
        defer { server.stopAndWait(gracePeriod: 1) }
        #expect(try Self.statusLine(ipv6: "::1", port: server.port) == "HTTP/1.1 200 OK")
        let client = try RawClient(port: server.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.readResponse()?.status == 200)
    }

    @Test func boundPortIsReportedAndTakenPortsFail() throws {
        let first = try Socket.listening(host: "127.0.0.1", port: 0, backlog: 16)
        defer { first.close() }
        #expect(first.localPort > 0)
        // SO_REUSEADDR does not let two listeners share one port.
        #expect(throws: SocketError.self) { try Socket.listening(host: "127.0.0.1", port: first.localPort, backlog: 16) }
        #expect(throws: SocketError.self) { try Socket.listening(host: "not a host name", port: 0, backlog: 16) }
    }
}
