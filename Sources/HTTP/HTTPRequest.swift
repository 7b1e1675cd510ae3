/// A fully received request: head, decoded target and body.
///
/// `path` is percent-decoded and free of dot segments (the parser refuses `..`),
/// `pathSegments` are its pieces, and `pathParameters` are filled by the `Router`
/// from a pattern such as `/v1/jobs/{id}`.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as sent (origin, absolute or asterisk form).
    public var target: String
    public var version: HTTPVersion
    public var path: String
    public var pathSegments: [String]
    public var queryItems: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var pathParameters: [String: String] = [:]

    public init(
        method: HTTPMethod, target: String, version: HTTPVersion, path: String,
        pathSegments: [String], queryItems: [(name: String, value: String)],
        headers: HTTPHeaders, body: [UInt8]
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.path = path
        self.pathSegments = pathSegments
        self.queryItems = queryItems
        self.headers = headers
        self.body = body
    }

    /// The first query value named `name`.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// Whether the client asked to keep the connection open after this request
    /// (RFC 9112 §9.3: persistent by default in 1.1, opt-in with `keep-alive` in 1.0).
    public var wantsKeepAlive: Bool {
        let tokens = headers.tokens(for: "Connection")
        if tokens.contains("close") { return false }
        switch version {
        case .http1_1: return true
        case .http1_0: return tokens.contains("keep-alive")
        }
    }
}
