import HTTP
import Logging

/// One request as the service's routes see it: the parsed request, its answer channel,
/// its request id, and a logger that stamps every line with that id.
public struct RequestContext: Sendable {
    public let request: HTTPRequest
    public let responder: Responder
    public let requestID: String
    public let logger: Logger

    /// Sends `problem` with this request's id and path filled in.
    public func fail(_ problem: ProblemDetails) {
        var problem = problem
        problem.requestID = requestID
        if problem.instance == nil { problem.instance = request.path }
        responder.send(problem)
    }

    public func send(_ response: HTTPResponse) {
        responder.send(response)
    }
}
