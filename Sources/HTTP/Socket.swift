#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-blocking stream socket: a thin, typed wrapper over one file descriptor.
///
/// The type does no buffering and owns no threads; `HTTPConnection` drives it from
/// Dispatch read and write sources. Closing is explicit (`close()`), because the
/// descriptor must outlive the Dispatch sources watching it.
public struct Socket: Sendable, Hashable {
    /// The underlying POSIX file descriptor.
    public let fileDescriptor: Int32

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// The outcome of one non-blocking read.
    enum ReadResult: Equatable {
        case received(Int)
        case wouldBlock
        case endOfStream
        case failed(Int32)
    }

    /// The outcome of one non-blocking write.
    enum WriteResult: Equatable {
        case sent(Int)
        case wouldBlock
        case failed(Int32)
    }

    /// Creates a listening socket bound to `host:port` (IPv4 or IPv6 literal or name).
    ///
    /// `SO_REUSEADDR` is set so a restarted server can bind while old connections
    /// linger in TIME_WAIT; an IPv6 wildcard listener also accepts IPv4 clients.
    public static func listening(host: String, port: UInt16, backlog: Int32) throws -> Socket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SocketError.unresolvableAddress(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }

        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { throw SocketError.lastError("socket") }
        let listener = Socket(fileDescriptor: descriptor)
        do {
            try listener.setOption(SO_REUSEADDR, level: SOL_SOCKET, value: 1)
            if first.pointee.ai_family == AF_INET6 {
                try listener.setOption(IPV6_V6ONLY, level: Int32(IPPROTO_IPV6), value: 0)
            }
            guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
                throw SocketError.lastError("bind")
            }
            guard listen(descriptor, backlog) == 0 else { throw SocketError.lastError("listen") }
            try listener.setNonBlocking()
        } catch {
            listener.close()
            throw error
        }
        return listener
    }

    /// The port this socket is bound to (useful after binding port 0).
    public var localPort: UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
        }
        guard status == 0 else { return 0 }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        default:
            return 0
        }
    }

    /// Accepts one pending connection as a non-blocking socket, or `nil` when none is pending.
    func acceptConnection() throws -> Socket? {
        let descriptor = accept(fileDescriptor, nil, nil)
        if descriptor < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED { return nil }
            throw SocketError.lastError("accept")
        }
        let connection = Socket(fileDescriptor: descriptor)
        do {
            try connection.setNonBlocking()
        } catch {
            connection.close()
            throw error
        }
        try? connection.setOption(TCP_NODELAY, level: Int32(IPPROTO_TCP), value: 1)
        return connection
    }

    /// Reads at most `buffer.count` bytes without blocking.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, 0)
        if count > 0 { return .received(count) }
        if count == 0 { return .endOfStream }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return .wouldBlock }
        return .failed(errno)
    }

    /// Writes as many bytes of `bytes` as the kernel takes now; never raises SIGPIPE.
    func write(_ bytes: UnsafeRawBufferPointer) -> WriteResult {
        #if canImport(Glibc)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        let count = send(fileDescriptor, bytes.baseAddress, bytes.count, flags)
        if count >= 0 { return .sent(count) }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return .wouldBlock }
        return .failed(errno)
    }

    /// Closes the descriptor. Call once, after every Dispatch source on it is cancelled.
    public func close() {
        #if canImport(Glibc)
        _ = Glibc.close(fileDescriptor)
        #else
        _ = Darwin.close(fileDescriptor)
        #endif
    }

    private func setNonBlocking() throws {
        let flags = fcntl(fileDescriptor, F_GETFL)
        guard flags >= 0, fcntl(fileDescriptor, F_SETFL, flags | O_NONBLOCK) == 0,
              fcntl(fileDescriptor, F_SETFD, FD_CLOEXEC) == 0 else {
            throw SocketError.lastError("fcntl")
        }
    }

    private func setOption(_ option: Int32, level: Int32, value: Int32) throws {
        var value = value
        guard setsockopt(fileDescriptor, level, option, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError.lastError("setsockopt")
        }
    }
}
