/// A protocol-level failure found while reading a request: malformed syntax,
/// ambiguous framing, a limit exceeded or a timeout.
///
/// Each carries the status it is answered with. After any of them the connection is
/// closed, because the byte stream can no longer be trusted to frame the next request
/// (RFC 9112 §6.3, §11.2).
public struct HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: HTTPStatus
    /// A human-readable reason naming the offending element (header, line, chunk).
    public let reason: String
    /// A stable machine-readable name for the problem document's `code` member.
    public let code: String

    public init(_ status: HTTPStatus, _ reason: String, code: String = "malformed_request") {
        self.status = status
        self.reason = reason
        self.code = code
    }

    public var description: String { "\(status.code) \(reason)" }

    static func malformed(_ reason: String) -> HTTPError { HTTPError(.badRequest, reason) }

    /// The problem document this error is answered with.
    public var problem: ProblemDetails {
        ProblemDetails(status: status, detail: reason, code: code)
    }
}
