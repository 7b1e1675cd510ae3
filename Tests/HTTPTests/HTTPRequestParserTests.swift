import Foundation
import Testing
@testable import HTTP

/// Parser-unit cases: incremental feeding, pipelining, events and phases. Wire-level
/// status mapping is covered over real sockets in `RawRequestTable`.
@Suite struct HTTPRequestParserTests {
    private func parseAll(_ text: String, limits: HTTPLimits = HTTPLimits(), pieceSize: Int? = nil) throws(HTTPError) -> [HTTPRequest] {
        var parser = HTTPRequestParser(limits: limits)
        let bytes = Array(text.utf8)
        var requests: [HTTPRequest] = []
        var offset = 0
        let step = pieceSize ?? max(bytes.count, 1)
        while offset < bytes.count {
            let end = min(offset + step, bytes.count)
            parser.append(Array(bytes[offset..<end]))
            offset = end
            loop: while true {
                switch try parser.nextEvent() {
                case .needsMoreData: break loop
                case .expectsContinue: continue
                case .request(let request): requests.append(request)
                }
            }
        }
        return requests
    }

    static let sample = "POST /items/42?x=1&name=a%20b+c HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nX-Multi: 1\r\nX-Multi: 2\r\n\r\nhello"
        + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n"

    @Test(arguments: [1, 2, 3, 7, 16, 64, 1000])
    func byteAtATimeEqualsOneShot(pieceSize: Int) throws {
        let oneShot = try parseAll(Self.sample)
        let pieces = try parseAll(Self.sample, pieceSize: pieceSize)
        #expect(oneShot.count == 3)
        #expect(pieces.count == 3)
        for (a, b) in zip(oneShot, pieces) {
            #expect(a.method == b.method)
            #expect(a.target == b.target)
            #expect(a.path == b.path)
            #expect(a.body == b.body)
            #expect(a.headers.fields.map(\.name) == b.headers.fields.map(\.name))
            #expect(a.headers.fields.map(\.value) == b.headers.fields.map(\.value))
        }
    }

    @Test func decodesRequestParts() throws {
        let requests = try parseAll(Self.sample)
        let first = try #require(requests.first)
        #expect(first.method == .post)
        #expect(first.version == .http1_1)
        #expect(first.target == "/items/42?x=1&name=a%20b+c")
        #expect(first.path == "/items/42")
        #expect(first.pathSegments == ["items", "42"])
        #expect(first.query("x") == "1")
        #expect(first.query("name") == "a b c")
        #expect(first.headers.values(for: "x-multi") == ["1", "2"])
        #expect(first.headers["HOST"] == "example.com")
        #expect(first.body == Array("hello".utf8))
        #expect(requests[2].body == Array("abcde".utf8))
        #expect(!requests[2].headers.contains("Trailer"), "trailers are dropped, never merged into headers")
    }

    @Test func expectContinueIsSignalledOnceBeforeTheBody() throws {
        var parser = HTTPRequestParser(limits: HTTPLimits())
        parser.append(Array("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n".utf8))
        guard case .expectsContinue = try parser.nextEvent() else { Issue.record("expected 100-continue"); return }
        guard case .needsMoreData = try parser.nextEvent() else { Issue.record("signalled twice"); return }
        #expect(parser.phase == .body)
        parser.append(Array("ab".utf8))
        guard case .needsMoreData = try parser.nextEvent() else { Issue.record("signalled twice"); return }
        parser.append(Array("cd".utf8))
        guard case .request(let request) = try parser.nextEvent() else { Issue.record("no request"); return }
        #expect(request.body == Array("abcd".utf8))
        #expect(parser.phase == .idle)
    }

    @Test func phasesFollowTheRequest() throws {
        var parser = HTTPRequestParser(limits: HTTPLimits())
        #expect(parser.phase == .idle)
        parser.append(Array("\r\n".utf8))
        #expect(parser.phase == .idle, "empty lines before a request are idle")
        parser.append(Array("PO".utf8))
        #expect(parser.phase == .head)
        parser.append(Array("ST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\na".utf8))
        guard case .needsMoreData = try parser.nextEvent() else { Issue.record("early request"); return }
        #expect(parser.phase == .body)
        parser.append(Array("bGET".utf8))
        guard case .request = try parser.nextEvent() else { Issue.record("no request"); return }
        #expect(parser.phase == .head)
        #expect(parser.bufferedByteCount == 3)
    }

    @Test func errorsCarryTheirStatus() {
        func status(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Int? {
            do { _ = try parseAll(text, limits: limits); return nil } catch { return error.status.code }
        }
        var small = HTTPLimits()
        small.maxBodyBytes = 3
        small.maxRequestLineBytes = 20
        small.maxHeaderCount = 2
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n", limits: small) == 413)
        #expect(status("GET /aaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n", limits: small) == 414)
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n", limits: small) == 431)
        #expect(status("GET / HTTP/2.0\r\n\r\n") == 505)
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\nExpect: x\r\n\r\n") == 417)
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br, chunked\r\n\r\n") == 501)
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\n\r\n") == nil)
    }

    // A large chunked body arriving in many reads is decoded in linear time.
    @Test(.timeLimit(.minutes(1)))
    func largeChunkedBodyInManyPieces() throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 16 * 1024 * 1024
        var parser = HTTPRequestParser(limits: limits)
        parser.append(Array("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        let chunk = [UInt8](repeating: 0x62, count: 16 * 1024)
        let framed = Array("4000\r\n".utf8) + chunk + [13, 10]
        let started = Date()
        for _ in 0..<1024 {
            parser.append(framed)
            guard case .needsMoreData = try parser.nextEvent() else { Issue.record("early request"); return }
        }
        parser.append(Array("0\r\n\r\n".utf8))
        guard case .request(let request) = try parser.nextEvent() else { Issue.record("no request"); return }
        #expect(request.body.count == 16 * 1024 * 1024)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 5, "16 MiB in 1,024 pieces took \(elapsed) s")
    }
}
