import Foundation
import Testing
@testable import HTTP

#if canImport(Glibc)
import Glibc
#endif

@Suite struct HTTPServerTests {
    @Test func healthzAnswersOverLoopback() throws {
        let server = try makeTestServer()
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.text == "{\"status\":\"ok\"}")
        #expect(response.header("Content-Type") == "application/json")
        #expect(!response.closesConnection)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try makeTestServer()
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        var batch = ""
        for index in 0..<100 { batch += "GET /items/\(index) HTTP/1.1\r\nHost: x\r\n\r\n" }
        client.send(batch)
        for index in 0..<100 {
            let response = try #require(client.readResponse())
            #expect(response.text == "{\"id\":\"\(index)\"}")
        }
    }

    @Test func serverSentEventsStreamInChunks() throws {
        let server = try makeTestServer()
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.header("Content-Type") == "text/event-stream")
        #expect(response.header("Transfer-Encoding") == "chunked")
        let text = response.text
        #expect(text.contains("id: 1\nevent: progress\ndata: {\"step\":1}\n\n"))
        #expect(text.contains("event: completed\ndata: done\n\n"))
        #expect(text.contains(": keepalive\n\n"))
    }

    // Slowloris (serving_anchors §4.3 #1): a client that sends one header byte every
    // 0.5 s gets 408 + close when the header deadline passes, while 50 other clients
    // are served normally on their own connections at the same time. The test uses a
    // 3 s `headerTimeout`; the production default is 15 s with the same mechanism (the
    // deadline runs from the request's first byte and trickling does not extend it).
    @Test func slowHeaderClientGets408WhileOthersAreServed() throws {
        var limits = HTTPLimits()
        limits.headerTimeout = 3
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }

        let slowResult = Probe<(status: Int?, closes: Bool, closed: Bool, elapsed: Double)?>(nil)
        let slowThread = Thread {
            do {
                let slow = try RawClient(port: server.port, receiveTimeout: 0.01)
                let started = Date()
                var response: ParsedResponse?
                for byte in "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8 + Array(repeating: UInt8(ascii: "z"), count: 40) {
                    slow.send([byte])
                    Thread.sleep(forTimeInterval: 0.5)
                    if !slow.readAvailable(within: 0.01).isEmpty, let parsed = ParsedResponse.parse(slow.unconsumed) {
                        response = parsed.0
                        break
                    }
                }
                let elapsed = Date().timeIntervalSince(started)
                slow.setReceiveTimeout(3)
                if response == nil { response = slow.readResponse() }
                slowResult.update { $0 = (response?.status, response?.closesConnection ?? false, slow.isClosedByPeer(), elapsed) }
            } catch {
                slowResult.update { $0 = (nil, false, false, 0) }
            }
        }
        slowThread.start()

        let others = try (0..<50).map { _ in try RawClient(port: server.port) }
        var rounds = 0
        var slowest = 0.0
        while slowResult.value == nil && rounds < 200 {
            let started = Date()
            for (index, client) in others.enumerated() { client.send(get("/items/\(index)")) }
            for (index, client) in others.enumerated() {
                let response = try #require(client.readResponse())
                #expect(response.status == 200)
                #expect(response.text == "{\"id\":\"\(index)\"}")
            }
            slowest = max(slowest, Date().timeIntervalSince(started))
            rounds += 1
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(eventually(within: 10) { slowResult.value != nil })
        let slow = try #require(slowResult.value)
        #expect(slow.status == 408)
        #expect(slow.closes)
        #expect(slow.closed)
        #expect(slow.elapsed >= 2.5 && slow.elapsed < 6, "408 at the 3 s header deadline, got \(slow.elapsed)")
        #expect(rounds >= 10, "the other 50 clients kept being served")
        #expect(slowest < 1, "a round of 50 requests took \(slowest) s")
    }

    // 1,000 concurrent keep-alive connections, each with a request outstanding at once,
    // all answered; a second round on the same connections shows they stayed open.
    @Test func thousandConcurrentKeepAliveConnections() throws {
        try raiseOpenFileLimit(to: 8192)
        // A long keep-alive timeout: on a loaded machine reading 1,000 answers can take
        // longer than the default 15 s, after which idle connections close (by design).
        var limits = HTTPLimits()
        limits.keepAliveTimeout = 300
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 2) }
        let clients = try (0..<1000).map { _ in try RawClient(port: server.port, receiveTimeout: 10) }
        for round in 0..<2 {
            for (index, client) in clients.enumerated() { client.send(get("/items/\(index)-\(round)")) }
            for (index, client) in clients.enumerated() {
                let response = try #require(client.readResponse(), "connection \(index) round \(round)")
                #expect(response.status == 200)
                #expect(response.text == "{\"id\":\"\(index)-\(round)\"}")
                #expect(!response.closesConnection)
            }
        }
        // The clients must outlive the check: an optimised build may release them (and
        // close their sockets) right after their last use above.
        withExtendedLifetime(clients) {
            #expect(server.connectionCount == 1000)
            #expect(server.rejectedConnectionCount == 0)
        }
    }

    // Over `maxConnections`: 503 problem with Retry-After and Connection: close, then
    // close; once a slot frees, new connections are admitted again.
    @Test func connectionsOverTheLimitGet503() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 4
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }
        var admitted = try (0..<4).map { _ in try RawClient(port: server.port) }
        for client in admitted {
            client.send(healthzRequest)
            #expect(client.readResponse()?.status == 200)
        }
        let extra = try RawClient(port: server.port)
        let refused = try #require(extra.readResponse())
        #expect(refused.status == 503)
        #expect(refused.closesConnection)
        #expect(refused.header("Retry-After") == "1")
        try expectProblemDocument(refused)
        #expect(extra.isClosedByPeer())
        #expect(server.rejectedConnectionCount == 1)

        admitted.removeLast()  // closes one admitted connection
        #expect(eventually(within: 2) { server.connectionCount == 3 })
        let next = try RawClient(port: server.port)
        next.send(healthzRequest)
        #expect(next.readResponse()?.status == 200)
        withExtendedLifetime(admitted) {}  // the three remaining clients stay connected to here
    }

    // Graceful stop: an in-flight slow response finishes (with Connection: close), idle
    // connections close at once, the listener stops accepting, completion runs.
    @Test func gracefulStopLetsInFlightResponseFinish() throws {
        let server = try makeTestServer { router in
            router.get("/hold") { _, responder in
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { responder.send(.text("held")) }
            }
        }
        let port = server.port
        let idle = try RawClient(port: port)
        idle.send(healthzRequest)
        #expect(idle.readResponse()?.status == 200)
        let busy = try RawClient(port: port)
        busy.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let stopped = Probe(false)
        server.stop(gracePeriod: 5) { stopped.update { $0 = true } }
        #expect(idle.isClosedByPeer(within: 1), "idle connection closes at once")
        let response = try #require(busy.readResponse())
        #expect(response.status == 200)
        #expect(response.text == "held")
        #expect(response.closesConnection)
        #expect(busy.isClosedByPeer())
        #expect(eventually(within: 2) { stopped.value })
        #expect(throws: SocketError.self) { _ = try RawClient(port: port) }
    }

    // A request whose bytes are still arriving when stop begins is in flight too: it is
    // read to the end and answered (with Connection: close) within the grace period.
    @Test func gracefulStopCompletesPartlyReceivedRequest() throws {
        let server = try makeTestServer()
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel")
        Thread.sleep(forTimeInterval: 0.1)
        let stopped = Probe(false)
        server.stop(gracePeriod: 5) { stopped.update { $0 = true } }
        Thread.sleep(forTimeInterval: 0.2)
        client.send("lo")
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.text == "hello")
        #expect(response.closesConnection)
        #expect(client.isClosedByPeer())
        #expect(eventually(within: 2) { stopped.value })
    }

    // After the grace period, what is still open is closed and its Responder cancelled.
    @Test func stopForceClosesAfterGracePeriod() throws {
        let cancelled = Probe(false)
        let server = try makeTestServer { router in
            router.get("/never") { _, responder in
                responder.onCancel { cancelled.update { $0 = true } }
            }
        }
        let client = try RawClient(port: server.port)
        client.send("GET /never HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let stopped = Probe(false)
        let started = Date()
        server.stop(gracePeriod: 0.5) { stopped.update { $0 = true } }
        #expect(client.readAvailable(within: 0.3).isEmpty, "still open within the grace period")
        #expect(client.isClosedByPeer(within: 2))
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.45 && elapsed < 2, "closed at \(elapsed) s")
        #expect(eventually(within: 2) { stopped.value && cancelled.value })
        #expect(server.connectionCount == 0)
    }

    // SSE: heartbeat comments arrive while no event is sent, then events in order.
    @Test func eventStreamSendsHeartbeatsWhileIdle() throws {
        let server = try makeTestServer { router in
            router.get("/quiet") { _, responder in
                guard let events = EventStream(responder: responder, heartbeatInterval: 0.1) else { return }
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.55) {
                    events.send(ServerSentEvent(id: "9", event: "done", data: "line1\nline2"))
                    events.close()
                }
            }
        }
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("GET /quiet HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.header("Cache-Control") == "no-cache")
        #expect(response.header("Content-Length") == nil)
        let text = response.text
        let heartbeats = text.components(separatedBy: ": keepalive\n\n").count - 1
        #expect(heartbeats >= 3, "got \(heartbeats) heartbeats")
        #expect(text.hasSuffix("id: 9\nevent: done\ndata: line1\ndata: line2\n\n"))
        // The stream ended with the last chunk; the connection is reusable.
        client.send(healthzRequest)
        #expect(client.readResponse()?.status == 200)
    }

    // HTTP/1.0 has no chunked coding: a stream is close-delimited.
    @Test func eventStreamOverHTTP10IsCloseDelimited() throws {
        let server = try makeTestServer()
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let raw = String(decoding: client.readAll(), as: UTF8.self)
        #expect(raw.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(raw.contains("Connection: close\r\n"))
        #expect(!raw.contains("Transfer-Encoding"))
        #expect(raw.hasSuffix("event: completed\ndata: done\n\n"))
    }
}

/// Raises this process's soft RLIMIT_NOFILE to at least `target` (within the hard limit).
func raiseOpenFileLimit(to target: rlim_t) throws {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw SocketError.failed(call: "getrlimit", errno: errno) }
    guard limit.rlim_cur < target else { return }
    limit.rlim_cur = min(target, limit.rlim_max)
    guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw SocketError.failed(call: "setrlimit", errno: errno) }
}
