import Foundation
import Synchronization
@testable import HTTP

/// Starts a real `HTTPServer` on an ephemeral loopback port with a small router:
/// `GET /healthz`, `POST /echo` (returns the body), `GET /items/{id}`,
/// `GET /slow` (answers after 200 ms from another queue) and `GET /stream` (SSE).
/// `configure` adds routes of a test's own (with the test's own probes captured).
func makeTestServer(
    limits: HTTPLimits = HTTPLimits(), configure: (inout Router) -> Void = { _ in }
) throws -> HTTPServer {
    var router = Router()
    configure(&router)
    router.get("/healthz") { _, responder in
        responder.send(.json(["status": "ok"]))
    }
    router.post("/echo") { request, responder in
        responder.send(HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body))
    }
    router.get("/items/{id}") { request, responder in
        responder.send(.json(["id": request.pathParameters["id"] ?? ""]))
    }
    router.get("/slow") { _, responder in
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
            responder.send(.text("slow"))
        }
    }
    router.get("/stream") { _, responder in
        guard let events = EventStream(responder: responder, heartbeatInterval: 0.05) else { return }
        DispatchQueue.global().async {
            for step in 1...3 {
                events.send(ServerSentEvent(id: String(step), event: "progress", data: "{\"step\":\(step)}"))
                Thread.sleep(forTimeInterval: 0.06)
            }
            events.send(ServerSentEvent(id: "4", event: "completed", data: "done"))
            events.close()
        }
    }
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
    configuration.limits = limits
    let server = HTTPServer(configuration: configuration, handler: router)
    try server.start()
    return server
}

/// A thread-safe box a test shares with its handlers (cancellation flags, counters).
final class Probe<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value { storage.withLock { $0 } }

    func update(_ change: (inout Value) -> Void) {
        storage.withLock { change(&$0) }
    }
}

/// Polls `condition` every 10 ms until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}

/// The request every "is the connection still usable?" check sends.
let healthzRequest = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
