/// Maps method + path pattern to a handler; answers 404, 405 (with `Allow`) and 501
/// as RFC 9457 problem documents.
///
/// Patterns are literal segments and `{name}` parameters: `/v1/jobs/{id}` matches
/// `/v1/jobs/42` with `pathParameters["id"] == "42"`. `HEAD` falls back to the `GET`
/// route (the connection drops the body). `OPTIONS` on a path, and `OPTIONS *`, are
/// answered with the allowed methods. The table is built before the server starts and
/// is immutable afterwards, so it needs no locking.
public struct Router: HTTPHandler {
    public typealias Handler = @Sendable (HTTPRequest, Responder) -> Void

    /// A registered route, listed for documentation checks (the OpenAPI test).
    public struct Route: Sendable {
        public let method: HTTPMethod
        public let pattern: String
        let segments: [Segment]
        let handler: Handler

        /// Literal segments in the pattern: among routes matching one path, the one with
        /// more literals is more specific (`/jobs/latest` beats `/jobs/{id}`).
        var literalCount: Int {
            segments.reduce(0) { count, segment in
                if case .literal = segment { return count + 1 }
                return count
            }
        }
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// The result of looking a request up in the table.
    public enum Match {
        case found(Route, parameters: [String: String])
        case notFound
        case methodNotAllowed(allowed: [HTTPMethod])
    }

    public private(set) var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ pattern: String, handler: @escaping Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { piece -> Segment in
            if piece.hasPrefix("{") && piece.hasSuffix("}") { return .parameter(String(piece.dropFirst().dropLast())) }
            return .literal(String(piece))
        }
        routes.append(Route(method: method, pattern: pattern, segments: Array(segments), handler: handler))
    }

    public mutating func get(_ pattern: String, handler: @escaping Handler) { add(.get, pattern, handler: handler) }
    public mutating func post(_ pattern: String, handler: @escaping Handler) { add(.post, pattern, handler: handler) }
    public mutating func delete(_ pattern: String, handler: @escaping Handler) { add(.delete, pattern, handler: handler) }

    /// Finds the route for `method` and `segments`.
    ///
    /// Precedence: a route for the exact method beats the GET fallback for HEAD; then
    /// the most literal segments win; then the route registered first.
    public func match(method: HTTPMethod, segments: [String]) -> Match {
        var allowed: [HTTPMethod] = []
        var parametersFound: [String: String] = [:]
        var chosen: Route?
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: segments) else { continue }
            allowed.append(route.method)
            guard route.method == method || (method == .head && route.method == .get) else { continue }
            if let current = chosen {
                let exact = route.method == method
                let currentExact = current.method == method
                guard (exact && !currentExact) || (exact == currentExact && route.literalCount > current.literalCount) else {
                    continue
                }
            }
            chosen = route
            parametersFound = parameters
        }
        if let chosen { return .found(chosen, parameters: parametersFound) }
        if allowed.isEmpty { return .notFound }
        return .methodNotAllowed(allowed: Self.withImplied(allowed))
    }

    public func handle(_ request: HTTPRequest, responder: Responder) {
        if request.target == "*" {
            let methods = Self.withImplied(routes.map(\.method))
            return responder.send(HTTPResponse(status: .noContent, headers: ["Allow": Self.allowHeader(methods)]))
        }
        guard request.method.isStandard else {
            return responder.send(ProblemDetails(
                status: .notImplemented, detail: "method \(request.method) is not implemented", code: "method_not_implemented"))
        }
        switch match(method: request.method, segments: request.pathSegments) {
        case .found(let route, let parameters):
            var request = request
            request.pathParameters = parameters
            route.handler(request, responder)
        case .notFound:
            responder.send(ProblemDetails(
                status: .notFound, detail: "no resource at \(request.path)", code: "not_found", instance: request.path))
        case .methodNotAllowed(let allowed):
            let allow = Self.allowHeader(allowed)
            if request.method == .options {
                return responder.send(HTTPResponse(status: .noContent, headers: ["Allow": allow]))
            }
            responder.send(ProblemDetails(
                status: .methodNotAllowed, detail: "\(request.method) is not allowed on \(request.path); allowed: \(allow)",
                code: "method_not_allowed", instance: request.path, headers: ["Allow": allow]))
        }
    }

    private static func bind(_ pattern: [Segment], to segments: [String]) -> [String: String]? {
        guard pattern.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (piece, segment) in zip(pattern, segments) {
            switch piece {
            case .literal(let literal): guard literal == segment else { return nil }
            case .parameter(let name):
                guard !segment.isEmpty else { return nil }
                parameters[name] = segment
            }
        }
        return parameters
    }

    /// Adds `HEAD` wherever `GET` is allowed, and `OPTIONS` always, in a stable order.
    private static func withImplied(_ methods: [HTTPMethod]) -> [HTTPMethod] {
        var set = Set(methods)
        if set.contains(.get) { set.insert(.head) }
        set.insert(.options)
        let order: [HTTPMethod] = [.get, .head, .post, .put, .patch, .delete, .options]
        return order.filter(set.contains) + set.subtracting(order).sorted { $0.rawValue < $1.rawValue }
    }

    private static func allowHeader(_ methods: [HTTPMethod]) -> String {
        methods.map(\.rawValue).joined(separator: ", ")
    }
}
