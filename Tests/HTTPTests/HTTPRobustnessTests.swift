import Foundation
import Testing
@testable import HTTP

/// Adversarial clients: behaviour that only shows over time or under pressure.
@Suite struct HTTPRobustnessTests {
    // A client that keeps sending the empty lines RFC 9112 §2.2 lets a server ignore
    // must not hold a connection past the keep-alive timeout.
    @Test func emptyLineTrickleDoesNotExtendKeepAlive() throws {
        var limits = HTTPLimits()
        limits.keepAliveTimeout = 1
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        let started = Date()
        var closed = false
        while Date().timeIntervalSince(started) < 4 {
            client.send("\r\n")
            if client.isClosedByPeer(within: 0.3) { closed = true; break }
        }
        #expect(closed)
        #expect(Date().timeIntervalSince(started) < 2.5)
    }

    // A client that pipelines requests but never reads must not make the server buffer
    // answers without bound: once the output backs up, the server stops taking requests.
    @Test func pipeliningWithoutReadingIsBackPressured() throws {
        let handled = Probe(0)
        let body = [UInt8](repeating: 0x61, count: 256 * 1024)
        let server = try makeTestServer { router in
            router.get("/quarter") { _, responder in
                handled.update { $0 += 1 }
                responder.send(HTTPResponse(status: .ok, body: body))
            }
        }
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        let requests = String(repeating: "GET /quarter HTTP/1.1\r\nHost: x\r\n\r\n", count: 100)
        client.sendInBackground(requests)
        Thread.sleep(forTimeInterval: 1.5)
        // 100 answers would be 25 MiB held for a client that reads nothing; with
        // back-pressure only what fits the socket buffers plus 1 MiB is produced.
        #expect(handled.value < 60, "handled \(handled.value) requests for a client that reads nothing")
        // Reading drains everything in order.
        for _ in 0..<100 {
            guard let response = client.readResponse() else { break }
            #expect(response.body.count == body.count)
        }
        #expect(handled.value == 100)
    }

    // A client that sends a body over the limit straight away (no Expect) must still
    // read the 413: the server may not reset the connection before it is delivered.
    @Test func oversizedBodySentEagerlyStillGets413() throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 1024
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }
        for _ in 0..<5 {
            let client = try RawClient(port: server.port)
            let body = String(repeating: "x", count: 4 * 1024 * 1024)
            client.sendInBackground("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
            let response = try #require(client.readResponse())
            #expect(response.status == 413)
            #expect(response.closesConnection)
        }
    }

    // The same for a malformed request followed by more bytes already in flight.
    @Test func badRequestWithTrailingGarbageStillGets400() throws {
        let server = try makeTestServer()
        defer { server.stopAndWait(gracePeriod: 1) }
        for _ in 0..<5 {
            let client = try RawClient(port: server.port)
            let garbage = String(repeating: "garbage ", count: 512 * 1024)
            client.sendInBackground("GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n" + garbage)
            let response = try #require(client.readResponse())
            #expect(response.status == 400)
        }
    }

    // Over maxConnections with the request already sent: the 503 is still readable.
    @Test func rejectedConnectionWithRequestInFlightReads503() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 1
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }
        let holder = try RawClient(port: server.port)
        holder.send(healthzRequest)
        #expect(holder.readResponse()?.status == 200)
        for _ in 0..<5 {
            let client = try RawClient(port: server.port)
            client.send(healthzRequest)
            let response = try #require(client.readResponse())
            #expect(response.status == 503)
        }
    }

    // Slow-read attack: a client that requests a large answer and then reads nothing
    // is closed after `sendTimeout` (1 s here; 30 s by default), freeing its slot.
    // A reader that is slow but steady is not cut off.
    @Test func clientThatStopsReadingIsClosedAfterSendTimeout() throws {
        var limits = HTTPLimits()
        limits.sendTimeout = 1
        let finished = Probe<Int?>(nil)
        let payload = [UInt8](repeating: 0x5A, count: 8 * 1024 * 1024)
        let server = try makeTestServer(limits: limits) { router in
            router.get("/big") { _, responder in
                responder.onFinish { status, _ in finished.update { $0 = status.code } }
                responder.send(HTTPResponse(status: .ok, body: payload))
            }
        }
        defer { server.stopAndWait(gracePeriod: 1) }
        let stalled = try RawClient(port: server.port)
        stalled.setReceiveBufferSize(16 * 1024)
        stalled.send(get("/big"))
        #expect(eventually(within: 1) { server.connectionCount == 1 })
        let started = Date()
        #expect(eventually(within: 5) { server.connectionCount == 0 }, "stalled reader still connected")
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.5 && elapsed < 4, "closed after \(elapsed) s")
        #expect(finished.value == 200, "the answer was queued before the stall")

        let steady = try RawClient(port: server.port, receiveTimeout: 10)
        steady.setReceiveBufferSize(16 * 1024)
        steady.send(get("/big"))
        let received = steady.readSlowly(count: 8 * 1024 * 1024 + 100, chunk: 64 * 1024, pause: 0.001)
        #expect(received.count > 8 * 1024 * 1024, "steady reader got the whole answer")
    }
}
