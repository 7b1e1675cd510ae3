import Foundation
import Testing
@testable import HTTP

@Suite struct HTTPServerTests {
    @Test func healthzAnswersOverLoopback() throws {
        let server = try makeTestServer()
        defer { server.stopAndWait(gracePeriod: 1) }
        let client = try RawClient(port: server.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.bodyText == "{\"status\":\"ok\"}")
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
            #expect(response.bodyText == "{\"id\":\"\(index)\"}")
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
        let text = response.bodyText
        #expect(text.contains("id: 1\nevent: progress\ndata: {\"step\":1}\n\n"))
        #expect(text.contains("event: completed\ndata: done\n\n"))
        #expect(text.contains(": keepalive\n\n"))
    }
}
