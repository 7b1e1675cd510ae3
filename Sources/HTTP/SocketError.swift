#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of a POSIX socket call, with the `errno` it left and the call's name.
///
/// Mirrors FlyingFox's `SocketError`: the socket layer throws only this type, so the
/// HTTP layer can tell "the address is taken" from "the peer went away".
public enum SocketError: Error, CustomStringConvertible, Sendable {
    /// A system call failed; `call` names it (`bind`, `listen`, …).
    case failed(call: String, errno: Int32)
    /// The host string did not resolve to a usable address.
    case unresolvableAddress(host: String, reason: String)

    public var description: String {
        switch self {
        case .failed(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .unresolvableAddress(let host, let reason):
            return "cannot resolve '\(host)': \(reason)"
        }
    }

    /// Captures the current `errno` for the system call `call`.
    static func lastError(_ call: String) -> SocketError {
        .failed(call: call, errno: errno)
    }
}
