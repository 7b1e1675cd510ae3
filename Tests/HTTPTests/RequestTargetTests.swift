import Foundation
import Testing
@testable import HTTP

/// Request-target decoding (RFC 9112 §3.2, RFC 3986 §2.1) and field-line syntax
/// (RFC 9112 §5) as units.
@Suite struct RequestTargetTests {
    @Test func originForm() throws {
        let target = try RequestTarget.parse("/a/b%20c/./d?x=1&y=&z&w=%2B+p", method: .get)
        #expect(target.path == "/a/b c/d")
        #expect(target.segments == ["a", "b c", "d"])
        #expect(target.query == [.init(name: "x", value: "1"), .init(name: "y", value: ""), .init(name: "z", value: ""),
                                 .init(name: "w", value: "+ p")])
    }

    @Test func absoluteForm() throws {
        #expect(try RequestTarget.parse("http://h:80/a?q=1", method: .get).path == "/a")
        #expect(try RequestTarget.parse("http://h?q=1", method: .get).query == [.init(name: "q", value: "1")])
        #expect(try RequestTarget.parse("http://h", method: .get).path == "/")
    }

    @Test func asteriskForm() throws {
        #expect(try RequestTarget.parse("*", method: .options).path == "*")
        #expect(throws: HTTPError.self) { try RequestTarget.parse("*", method: .get) }
    }

    @Test(arguments: ["a", "", "http://", "http:///a", "/%2e%2e", "/a/../b", "/%2F", "/%00", "/%", "/%g0", "/%C3", "/?a=%"])
    func rejected(raw: String) {
        #expect(throws: HTTPError.self) { try RequestTarget.parse(raw, method: .get) }
    }

    @Test func fieldLines() throws {
        let field = try HeaderFieldLine.parse(ArraySlice("Content-Type: \t text/plain; charset=utf-8 \t".utf8))
        #expect(field.name == "Content-Type")
        #expect(field.value == "text/plain; charset=utf-8")
        #expect(try HeaderFieldLine.parse(ArraySlice("X:".utf8)).value == "")
    }

    @Test(arguments: [" X: 1", "\tX: 1", "X : 1", "X\t: 1", ": 1", "X", "X\u{0}: 1", "X@: 1", "X: a\u{0}b", "X: a\rb", "X: a\u{7F}"])
    func rejectedFieldLines(line: String) {
        #expect(throws: HTTPError.self) { try HeaderFieldLine.parse(ArraySlice(line.utf8)) }
    }
}
