import Foundation
import Testing
@testable import HTTP

/// One raw request sent over a real socket, with the answer it must get.
///
/// `keepsOpen` is checked both ways: an open connection must answer a second request
/// (`GET /healthz`), a closed one must carry `Connection: close`, deliver nothing more
/// (no second response from bytes the server refused) and then be closed by the server.
struct RawRequestCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var status: Int
    var keepsOpen: Bool
    /// Statuses of further pipelined responses expected after the first one.
    var then: [Int] = []
    /// Exact body expected on the first response.
    var body: String?
    /// Exact header values expected on the first response.
    var headers: [String: String] = [:]
    /// The first request is HEAD: the answer has `Content-Length` but no body bytes.
    var isHead = false
    /// Text the problem document's `detail` must contain (proves the right rule fired).
    var detail: String?

    var testDescription: String { name }
}

/// `name`, raw text, expected status, and whether the connection stays open.
func ok(_ name: String, _ raw: String, _ status: Int = 200, body: String? = nil, headers: [String: String] = [:],
        then: [Int] = [], isHead: Bool = false) -> RawRequestCase {
    RawRequestCase(name: name, bytes: Array(raw.utf8), status: status, keepsOpen: true, then: then,
                   body: body, headers: headers, isHead: isHead)
}

func closes(_ name: String, _ raw: String, _ status: Int, body: String? = nil, headers: [String: String] = [:],
            then: [Int] = []) -> RawRequestCase {
    RawRequestCase(name: name, bytes: Array(raw.utf8), status: status, keepsOpen: false, then: then,
                   body: body, headers: headers)
}

func closes(_ name: String, bytes: [UInt8], _ status: Int, detail: String? = nil) -> RawRequestCase {
    RawRequestCase(name: name, bytes: bytes, status: status, keepsOpen: false, detail: detail)
}

/// `GET /healthz` whose last header line is `prefix`, the raw `bytes`, then `suffix`.
func withHeader(_ prefix: String, _ bytes: [UInt8], _ suffix: String) -> [UInt8] {
    Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\(prefix)".utf8) + bytes + Array("\(suffix)\r\n\r\n".utf8)
}

func ok(_ name: String, bytes: [UInt8], _ status: Int = 200, body: String? = nil) -> RawRequestCase {
    RawRequestCase(name: name, bytes: bytes, status: status, keepsOpen: true, body: body)
}

/// `GET path` with `Host: x` and the extra header lines given.
func get(_ path: String, _ extra: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: x\r\n\(extra)\r\n"
}

/// `POST /echo` with `Host: x`, the extra header lines and the raw body bytes.
func post(_ extra: String, _ body: String = "", path: String = "/echo") -> String {
    "POST \(path) HTTP/1.1\r\nHost: x\r\n\(extra)\r\n\(body)"
}

/// `POST /echo` with `Transfer-Encoding: chunked` and the raw chunked body.
func chunked(_ body: String) -> String {
    post("Transfer-Encoding: chunked\r\n", body)
}
