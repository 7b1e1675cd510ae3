import Foundation
import HTTP
import Logging

/// Wraps the router with what every request gets: a validated or generated
/// `X-Request-ID` (echoed and logged), bearer-token auth, a JSON access-log line, and
/// request metrics labelled by route pattern.
struct ServiceHandler: HTTPHandler {
    let router: Router
    let metrics: MetricsRegistry
    let logger: Logger
    let token: String?
    /// Routes open without a token: probes and scraping must work unauthenticated.
    static let publicPaths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    func handle(_ request: HTTPRequest, responder: Responder) {
        let started = DispatchTime.now().uptimeNanoseconds
        let requestID = Self.requestID(from: request.headers["X-Request-ID"])
        var request = request
        request.headers.set("X-Request-ID", requestID)
        responder.addResponseHeader("X-Request-ID", requestID)

        let route: String
        switch router.match(method: request.method, segments: request.pathSegments) {
        case .found(let matched, _): route = matched.pattern
        case .notFound, .methodNotAllowed: route = request.target == "*" ? "*" : "unmatched"
        }
        let method = request.method.isStandard ? request.method.rawValue : "other"
        let path = request.path
        responder.onFinish { [metrics, logger] status, bytes in
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            metrics.increment(ServiceMetrics.requests, labels: [("route", route), ("method", method), ("status", String(status.code))])
            metrics.observe(ServiceMetrics.requestDuration, labels: [("route", route), ("method", method)], seconds)
            logger.info("request", metadata: [
                "request_id": "\(requestID)", "method": "\(method)", "path": "\(path)",
                "route": "\(route)", "status": "\(status.code)", "bytes": "\(bytes)",
                "duration_ms": "\(String(format: "%.3f", seconds * 1000))",
            ])
        }

        if let token, !Self.publicPaths.contains(request.path), !Self.isAuthorized(request, token: token) {
            var problem = ProblemDetails(status: .unauthorized, detail: "a valid bearer token is required", code: "unauthorized",
                                         field: "Authorization", instance: request.path,
                                         headers: ["WWW-Authenticate": "Bearer realm=\"diffusion\""])
            problem.requestID = requestID
            return responder.send(problem)
        }
        router.handle(request, responder: responder)
    }

    /// The inbound id when it is 1–128 characters of `[A-Za-z0-9._:-]`, else a new 128-bit hex id.
    static func requestID(from inbound: String?) -> String {
        if let inbound, !inbound.isEmpty, inbound.utf8.count <= 128,
           inbound.utf8.allSatisfy({ byte in
               (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                   || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
           }) {
            return inbound
        }
        return JobStore.makeID()
    }

    /// `Authorization: Bearer <token>`, compared in constant time.
    static func isAuthorized(_ request: HTTPRequest, token: String) -> Bool {
        guard let header = request.headers["Authorization"] else { return false }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return constantTimeEquals(Array(parts[1].utf8), Array(token.utf8))
    }

    /// Compares every byte whatever the first difference, so timing leaks nothing but length.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
