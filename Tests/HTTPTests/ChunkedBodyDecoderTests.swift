import Foundation
import Testing
@testable import HTTP

/// `ChunkedBodyDecoder` on its own (RFC 9112 §7.1). Over-the-wire cases are in
/// `RawRequestTable.chunkedBodies`.
@Suite struct ChunkedBodyDecoderTests {
    private func decode(_ text: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPError) -> (done: Bool, body: String, index: Int) {
        var decoder = ChunkedBodyDecoder(startingAt: 0)
        let done = try decoder.decode(Array(text.utf8), limits: limits)
        return (done, String(decoding: decoder.body, as: UTF8.self), decoder.index)
    }

    @Test func decodesAndStopsAtTheEndOfTheBody() throws {
        let result = try decode("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nNEXT")
        #expect(result.done)
        #expect(result.body == "abcde")
        #expect(result.index == "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8.count, "stops before the next request")
    }

    @Test func incompleteInputAsksForMore() throws {
        for prefix in ["", "3", "3\r", "3\r\n", "3\r\nab", "3\r\nabc", "3\r\nabc\r", "3\r\nabc\r\n0\r\n", "3\r\nabc\r\n0\r\nX: 1\r\n"] {
            #expect(try decode(prefix).done == false, "\(prefix.debugDescription)")
        }
    }

    @Test func resumesAcrossCalls() throws {
        var decoder = ChunkedBodyDecoder(startingAt: 0)
        var buffer: [UInt8] = []
        for byte in "5;x=\"y\"\r\nhello\r\n1\r\n!\r\n0\r\nT: v\r\n\r\n".utf8 {
            buffer.append(byte)
            if try decoder.decode(buffer, limits: HTTPLimits()) { break }
        }
        #expect(String(decoding: decoder.body, as: UTF8.self) == "hello!")
        #expect(decoder.index == buffer.count)
    }

    @Test(arguments: [
        ("1", 1), ("a", 10), ("F", 15), ("10", 16), ("ff", 255), ("000000000000001", 1), ("fffffffffffffff", 0xfffffffffffffff),
        ("5;a", 5), ("5;a=b", 5), ("5;a=\"b c\"", 5), ("5;a=\"\\\"\"", 5), ("5;a;b=c;d=\"e\"", 5),
    ])
    func sizeLines(line: String, size: Int) throws {
        #expect(try ChunkedBodyDecoder.parseSizeLine(ArraySlice(line.utf8)) == size)
    }

    @Test(arguments: ["", "g", "-1", " 1", "1 ", "1\t", "0x1", "1;", "1;=a", "1;a=", "1;a=\"b", "1;a=b;", "1 ;a", "1; a", "1;a =b",
                      "1;a=\"\u{7F}\"", "1;a=b\"c\"", "1000000000000000"])
    func invalidSizeLines(line: String) {
        #expect(throws: HTTPError.self) { try ChunkedBodyDecoder.parseSizeLine(ArraySlice(line.utf8)) }
    }

    @Test func bodyLimitIsCheckedBeforeTheData() throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 4
        #expect(try decode("4\r\nabcd\r\n0\r\n\r\n", limits: limits).body == "abcd")
        do {
            _ = try decode("5\r\n", limits: limits)
            Issue.record("no error")
        } catch {
            #expect(error.status == .contentTooLarge)
        }
    }

    @Test func trailerSectionIsBoundedByTheHeaderLimit() throws {
        var limits = HTTPLimits()
        limits.maxHeaderBytes = 16
        #expect(try decode("0\r\nA: 123456789\r\n\r\n", limits: limits).done)
        do {
            _ = try decode("0\r\nA: 1234567890123456789\r\n\r\n", limits: limits)
            Issue.record("no error")
        } catch {
            #expect(error.status == .requestHeaderFieldsTooLarge)
        }
    }
}
