import Foundation
import Testing
@testable import HTTP

/// The `text/event-stream` wire format (WHATWG HTML §9.2). Live streams with
/// heartbeats are in `HTTPServerTests`.
@Suite struct ServerSentEventTests {
    private func text(_ event: ServerSentEvent) -> String { String(decoding: event.encoded, as: UTF8.self) }

    @Test func dataOnly() {
        #expect(text(ServerSentEvent(data: "hello")) == "data: hello\n\n")
    }

    @Test func allFieldsInOrder() {
        #expect(text(ServerSentEvent(id: "7", event: "progress", data: "{\"step\":3}", retry: 2000))
            == "retry: 2000\nid: 7\nevent: progress\ndata: {\"step\":3}\n\n")
    }

    @Test func multiLineDataBecomesSeveralDataFields() {
        #expect(text(ServerSentEvent(data: "a\nb\n\nc")) == "data: a\ndata: b\ndata: \ndata: c\n\n")
    }

    @Test func emptyDataStillDispatches() {
        #expect(text(ServerSentEvent(data: "")) == "data: \n\n")
    }

    @Test func lineBreaksCannotInjectFields() {
        // A CR or LF inside id/event would start a new field; they become spaces.
        #expect(text(ServerSentEvent(id: "1\nevent: evil", event: "x\r\ndata: y", data: "z"))
            == "id: 1 event: evil\nevent: x  data: y\ndata: z\n\n")
        // A lone CR inside data would end the line for a client; it becomes a space.
        #expect(text(ServerSentEvent(data: "a\rb")) == "data: a b\n\n")
        #expect(text(ServerSentEvent(data: "a\r\rb\r")) == "data: a  b \n\n")
        // CRLF in data is a line break like LF: the next line stays a data field.
        #expect(text(ServerSentEvent(data: "a\r\nevent: evil\r\n")) == "data: a\ndata: event: evil\ndata: \n\n")
        #expect(String(decoding: ServerSentEvent.comment("a\r\ndata: x"), as: UTF8.self) == ": a  data: x\n\n")
    }

    @Test func commentsAreSingleLine() {
        #expect(String(decoding: ServerSentEvent.comment("keepalive"), as: UTF8.self) == ": keepalive\n\n")
        #expect(String(decoding: ServerSentEvent.comment("a\nb"), as: UTF8.self) == ": a b\n\n")
    }
}
