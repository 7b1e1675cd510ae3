import Foundation
import Testing
@testable import HTTP

/// Live-socket behaviour of one connection: the raw-request table, keep-alive,
/// timeouts, interim responses, cancellation and back-pressure. Every test talks to a
/// real `HTTPServer` over loopback through `RawClient`.
@Suite struct HTTPConnectionTests {
    static let tableLimits: HTTPLimits = {
        var limits = HTTPLimits()
        limits.maxBodyBytes = RawRequestTable.maxBody
        limits.headerTimeout = 3
        limits.bodyIdleTimeout = 1
        return limits
    }()

    /// One server for the whole table (cases run in parallel against it).
    static let tableServer = Result<HTTPServer, any Error> { try makeTestServer(limits: tableLimits) }

    @Test func tableHasAtLeast150Cases() {
        #expect(RawRequestTable.all.count >= 150)
        #expect(Set(RawRequestTable.all.map(\.name)).count == RawRequestTable.all.count, "case names are unique")
    }

    @Test(arguments: RawRequestTable.all)
    func rawRequest(_ testCase: RawRequestCase) throws {
        let server = try Self.tableServer.get()
        let client = try RawClient(port: server.port)
        client.send(testCase.bytes)
        let first = try #require(client.readResponse(expectBody: !testCase.isHead), "no response")
        #expect(first.status == testCase.status)
        if let body = testCase.body { #expect(first.text == body) }
        for (name, value) in testCase.headers { #expect(first.header(name) == value, "header \(name)") }
        if first.status >= 400 && !testCase.isHead { try expectProblemDocument(first) }
        if let detail = testCase.detail { #expect(first.text.contains(detail), "detail: \(first.text)") }
        var last = first
        for status in testCase.then {
            let next = try #require(client.readResponse(), "no pipelined response")
            #expect(next.status == status)
            last = next
        }
        if testCase.keepsOpen {
            #expect(!last.closesConnection)
            client.send(healthzRequest)
            let next = try #require(client.readResponse(), "connection did not stay open")
            #expect(next.status == 200)
            #expect(next.text == RawRequestTable.healthz)
        } else {
            #expect(last.closesConnection)
            #expect(client.unconsumed.isEmpty, "bytes after the final response")
            #expect(client.isClosedByPeer(within: 3), "server must close after \(last.status)")
        }
    }

    // RFC 9110 §10.1.1: with `Expect: 100-continue` the server sends the interim 100
    // before the client sends the body, then the final response.
    @Test func expectContinueSendsInterimResponseBeforeBody() throws {
        let server = try makeTestServer()
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        let interim = try #require(client.readResponse())
        #expect(interim.status == 100)
        client.send("hello")
        let final = try #require(client.readResponse())
        #expect(final.status == 200)
        #expect(final.text == "hello")
        #expect(!final.closesConnection)
        // Chunked bodies get the interim response too.
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(client.readResponse()?.status == 100)
        client.send("3\r\nabc\r\n0\r\n\r\n")
        #expect(client.readResponse()?.text == "abc")
    }

    // RFC 9110 §10.1.1: a server that will reject the content answers the final status
    // at once, without 100 (413 here, decided from Content-Length).
    @Test func expectContinueWithTooLargeBodyGets413WithoutInterim() throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 10
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 413)
        #expect(response.closesConnection)
        #expect(client.isClosedByPeer())
    }

    // RFC 9112 §9.3: after `maxRequestsPerConnection` the last response says close.
    @Test func keepAliveRequestCapClosesAfterLastResponse() throws {
        var limits = HTTPLimits()
        limits.maxRequestsPerConnection = 3
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        for index in 1...3 {
            client.send(healthzRequest)
            let response = try #require(client.readResponse())
            #expect(response.status == 200)
            #expect(response.closesConnection == (index == 3), "request \(index)")
        }
        #expect(client.isClosedByPeer())

        // Pipelined past the cap: exactly three answers, then close.
        let pipelining = try RawClient(port: server.port)
        pipelining.send(String(repeating: healthzRequest, count: 5))
        for _ in 1...3 { #expect(pipelining.readResponse()?.status == 200) }
        #expect(pipelining.unconsumed.isEmpty)
        #expect(pipelining.isClosedByPeer())
    }

    // The keep-alive idle timeout closes silently: no 408 on an idle connection.
    @Test func idleKeepAliveConnectionClosesSilently() throws {
        var limits = HTTPLimits()
        limits.keepAliveTimeout = 0.5
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send(healthzRequest)
        #expect(client.readResponse()?.status == 200)
        let started = Date()
        #expect(client.readAvailable(within: 3).isEmpty, "no bytes on idle close")
        #expect(client.isClosedByPeer(within: 1))
        #expect(Date().timeIntervalSince(started) < 2.5)
        // A connection that never sent anything is idle too.
        let silent = try RawClient(port: server.port)
        #expect(silent.readAvailable(within: 3).isEmpty)
        #expect(silent.isClosedByPeer(within: 1))
    }

    // A body that stalls longer than `bodyIdleTimeout` gets 408 and close.
    @Test func stalledBodyGets408() throws {
        var limits = HTTPLimits()
        limits.bodyIdleTimeout = 0.5
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        let started = Date()
        let response = try #require(client.readResponse())
        #expect(response.status == 408)
        #expect(response.closesConnection)
        #expect(Date().timeIntervalSince(started) >= 0.4)
        #expect(client.isClosedByPeer())
    }

    // A body that keeps trickling within the idle timeout is not cut off.
    @Test func slowButSteadyBodyIsAccepted() throws {
        var limits = HTTPLimits()
        limits.bodyIdleTimeout = 0.5
        let server = try makeTestServer(limits: limits)
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n")
        for byte in "abcdefgh".utf8 {
            Thread.sleep(forTimeInterval: 0.15)
            client.send([byte])
        }
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.text == "abcdefgh")
    }

    // A client that closes while its request is being worked on cancels the Responder:
    // `isCancelled` turns true and `onCancel` actions run.
    @Test func clientDisconnectCancelsResponder() throws {
        let cancelled = Probe(0)
        let captured = Probe<Responder?>(nil)
        let server = try makeTestServer { router in
            router.get("/wait") { _, responder in
                responder.onCancel { cancelled.update { $0 += 1 } }
                captured.update { $0 = responder }
            }
        }
        defer { server.stopAndWait(gracePeriod: 1) }
        do {
            let client = try RawClient(port: server.port)
            client.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(eventually(within: 2) { captured.value != nil })
            #expect(captured.value?.isCancelled == false)
        }  // the client closes here
        #expect(eventually(within: 2) { cancelled.value == 1 })
        let responder = try #require(captured.value)
        #expect(responder.isCancelled)
        // onCancel after the fact runs at once; a late answer is dropped without harm.
        let late = Probe(false)
        responder.onCancel { late.update { $0 = true } }
        #expect(late.value)
        responder.send(.text("too late"))
        #expect(eventually(within: 2) { server.connectionCount == 0 })
    }

    // onFinish reports the status and body bytes written (0 for HEAD), or 499 when the
    // client left before the answer. A handler that stops on cancellation without
    // answering does not leak the connection: it closes `keepAliveTimeout` after the
    // client left.
    @Test func onFinishReportsStatusAndBytes() throws {
        let finished = Probe<[String: (Int, Int)]>([:])
        var limits = HTTPLimits()
        limits.keepAliveTimeout = 0.5
        let server = try makeTestServer(limits: limits) { router in
            router.get("/observed/{name}") { request, responder in
                let name = request.pathParameters["name"] ?? ""
                responder.onFinish { status, bytes in finished.update { $0[name] = (status.code, bytes) } }
                if name == "never" { return }
                responder.send(.text("four"))
            }
        }
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send(get("/observed/get"))
        #expect(client.readResponse()?.status == 200)
        client.send("HEAD /observed/head HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.readResponse(expectBody: false)?.status == 200)
        do {
            let leaving = try RawClient(port: server.port)
            leaving.send(get("/observed/never"))
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(eventually(within: 2) { finished.value.count == 3 })
        #expect(finished.value["get"].map { [$0.0, $0.1] } == [200, 4])
        #expect(finished.value["head"].map { [$0.0, $0.1] } == [200, 0])
        #expect(finished.value["never"]?.0 == 499)
        #expect(eventually(within: 2) { server.connectionCount == 0 }, "idle and abandoned connections both closed")
    }

    // Partial writes and back-pressure: an 8 MiB answer read slowly arrives intact,
    // and the connection is still usable afterwards.
    @Test func largeResponseReadSlowlyArrivesIntact() throws {
        let size = 8 * 1024 * 1024
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) }
        let server = try makeTestServer { router in
            router.get("/big") { _, responder in
                responder.send(HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: payload))
            }
        }
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port, receiveTimeout: 10)
        client.setReceiveBufferSize(16 * 1024)
        client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.3)  // let the server fill every buffer and block
        var received = client.readSlowly(count: 4096, chunk: 4096, pause: 0)
        let headEnd = try #require(ParsedResponse.find([13, 10, 13, 10], in: received, from: 0))
        let head = String(decoding: received[0..<headEnd], as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect((head + "\r\n").contains("Content-Length: \(size)\r\n"))
        let total = headEnd + 4 + size
        received += client.readSlowly(count: total - received.count, chunk: 32 * 1024, pause: 0.001)
        #expect(received.count == total)
        #expect(Array(received[(headEnd + 4)...]) == payload)
        client.send(healthzRequest)
        #expect(client.readResponse()?.status == 200)
    }

    // A client that half-closes after its request still gets the answer (then close).
    @Test func halfClosedClientStillGetsResponse() throws {
        let server = try makeTestServer()
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send(healthzRequest)
        client.shutdownWrite()
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(client.isClosedByPeer())
    }

    // Response splitting: request data copied into a response header cannot add
    // header lines or a second response (RFC 9110 §5.5).
    @Test func handlerHeadersCannotSplitTheResponse() throws {
        let server = try makeTestServer { router in
            router.get("/reflect/{value}") { request, responder in
                let value = request.pathParameters["value"] ?? ""
                responder.send(HTTPResponse(status: .ok, headers: ["X-Reflected": value, "Bad Name\r\nX-Evil": "1"], body: Array("ok".utf8)))
            }
        }
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send(get("/reflect/a%0D%0ASet-Cookie:%20x=1%0D%0A%0D%0AHTTP%201.1%20200%20OK"))
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.header("Set-Cookie") == nil)
        #expect(response.header("X-Evil") == nil)
        #expect(response.header("X-Reflected") == "a  Set-Cookie: x=1    HTTP 1.1 200 OK")
        #expect(response.text == "ok")
        client.send(healthzRequest)
        #expect(client.readResponse()?.text == RawRequestTable.healthz, "no smuggled second response")
    }

    // Pipelined requests behind a slow one are answered in order, after it.
    @Test func pipelinedRequestsWaitForSlowAnswer() throws {
        let server = try makeTestServer()
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n" + get("/items/after"))
        #expect(client.readResponse()?.text == "slow")
        #expect(client.readResponse()?.text == "{\"id\":\"after\"}")
    }
}

/// Checks an error answer is an RFC 9457 problem document with matching status.
func expectProblemDocument(_ response: ParsedResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
    let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    let document = try #require(object, sourceLocation: sourceLocation)
    #expect(document["status"] as? Int == response.status, sourceLocation: sourceLocation)
    #expect(document["type"] as? String == "about:blank", sourceLocation: sourceLocation)
    #expect((document["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect((document["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
}
