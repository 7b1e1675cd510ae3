/// A request method token (RFC 9110 §9).
///
/// Any syntactically valid token parses; `isStandard` tells the methods this server
/// implements at all, so an unknown token can be answered with 501 rather than 405.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let options = HTTPMethod(rawValue: "OPTIONS")
    public static let trace = HTTPMethod(rawValue: "TRACE")
    public static let connect = HTTPMethod(rawValue: "CONNECT")

    /// The methods of RFC 9110 §9.3 plus PATCH (RFC 5789).
    public static let standard: Set<HTTPMethod> = [.get, .head, .post, .put, .delete, .patch, .options, .trace, .connect]

    public var isStandard: Bool { Self.standard.contains(self) }

    public var description: String { rawValue }
}

/// The protocol version of a request; only HTTP/1.0 and HTTP/1.1 are served.
public enum HTTPVersion: String, Sendable, CustomStringConvertible {
    case http1_0 = "HTTP/1.0"
    case http1_1 = "HTTP/1.1"

    public var description: String { rawValue }
}
