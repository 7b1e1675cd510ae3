import Foundation

/// A complete response: status, header fields and body bytes.
///
/// The connection adds `Date`, `Server`, `Content-Length` and `Connection`; a handler
/// sets only what belongs to its resource. For long-running work with progress, use
/// `Responder.startStream(status:headers:)` instead.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response from an `Encodable` value (sorted keys, so bodies are stable).
    public static func json<Value: Encodable>(
        _ value: Value, status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(value)
            var headers = headers
            headers.set("Content-Type", "application/json")
            return HTTPResponse(status: status, headers: headers, body: Array(data))
        } catch {
            return ProblemDetails(status: .internalServerError, detail: "response encoding failed: \(error)").response()
        }
    }

    /// A plain-text response.
    public static func text(_ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }
}
