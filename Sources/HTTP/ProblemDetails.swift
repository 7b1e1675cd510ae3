import Foundation

/// An RFC 9457 problem document (`application/problem+json`).
///
/// Every error response the server produces uses it, with the members `type`,
/// `title`, `status`, `detail` and `instance`, plus the extension members `code`
/// (a stable machine-readable name), `field` (the request field at fault, for 4xx)
/// and `request_id`.
public struct ProblemDetails: Error, Sendable, Encodable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var instance: String?
    public var code: String?
    public var field: String?
    public var requestID: String?
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`, …).
    public var headers: HTTPHeaders

    public init(
        status: HTTPStatus, detail: String, code: String? = nil, field: String? = nil,
        type: String = "about:blank", instance: String? = nil, headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.type = type
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.code = code
        self.field = field
        self.instance = instance
        self.headers = headers
        self.httpStatus = status
    }

    /// The status this problem is sent with.
    public let httpStatus: HTTPStatus

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance, code, field
        case requestID = "request_id"
    }

    /// The problem as a response with `Content-Type: application/problem+json`.
    public func response() -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)).map(Array.init) ?? Array("{\"status\":\(status)}".utf8)
        var headers = self.headers
        headers.set("Content-Type", "application/problem+json")
        return HTTPResponse(status: httpStatus, headers: headers, body: body)
    }
}
