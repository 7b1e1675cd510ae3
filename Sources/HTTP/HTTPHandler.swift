/// Something that answers requests: the `Router`, or any type a test or service supplies.
///
/// `handle` runs on the connection's I/O queue and must not block it: answer at once
/// through `responder` (health probes), or hand the work to another queue and answer
/// from there later (inference). Exactly one answer per request; extra ones are ignored.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest, responder: Responder)
}
