import Foundation
@testable import HTTP

/// The raw-request conformance table. The server it runs against (`HTTPConnectionTests`)
/// uses default limits except `maxBodyBytes = 1024`, `headerTimeout = 3 s` and
/// `bodyIdleTimeout = 1 s`, so limit and timeout cases stay fast.
enum RawRequestTable {
    static let healthz = "{\"status\":\"ok\"}"
    static let maxBody = 1024

    static let all: [RawRequestCase] =
        requestLine + methods + versions + host + headerSyntax + contentLength + transferEncoding
        + chunkedBodies + expectations + limits + targets + connectionManagement + smuggling

    // RFC 9112 §3: request-line = method SP request-target SP HTTP-version;
    // §3.2: origin-form, absolute-form (any request), asterisk-form (OPTIONS only);
    // §2.2: empty lines before the request line are ignored; bare CR is rejected.
    static let requestLine: [RawRequestCase] = [
        ok("origin-form", get("/healthz"), body: healthz),
        ok("origin-form with query", get("/healthz?verbose=1"), body: healthz),
        ok("absolute-form http", "GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n", body: healthz),
        ok("absolute-form https upper-case scheme", "GET HTTPS://x:443/healthz HTTP/1.1\r\nHost: x\r\n\r\n", body: healthz),
        ok("absolute-form with query", "GET http://x/items/7?a=b HTTP/1.1\r\nHost: x\r\n\r\n", body: "{\"id\":\"7\"}"),
        ok("absolute-form without path is /", "GET http://x HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        closes("absolute-form without authority", "GET http:///healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ok("asterisk-form OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 204,
           headers: ["Allow": "GET, HEAD, POST, OPTIONS"]),
        closes("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("target without leading slash", "GET healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("authority-form target for GET", "GET x:80 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("two spaces after method", "GET  /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("two spaces before version", "GET /healthz  HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("trailing space after version", "GET /healthz HTTP/1.1 \r\nHost: x\r\n\r\n", 400),
        closes("tab as separator", "GET\t/healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("no version (HTTP/0.9 form)", "GET /healthz\r\nHost: x\r\n\r\n", 400),
        closes("no method", "/healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("leading space", " GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("bare CR in request line", "GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("bare LF ends request line", "GET /healthz HTTP/1.1\nHost: x\r\n\r\n", 400),
        closes("DEL in target", "GET /a\u{7F} HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("obs-text byte in target", bytes: Array("GET /caf".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        closes("NUL in target", bytes: Array("GET /a".utf8) + [0] + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        ok("empty lines before request line ignored", "\r\n\r\n" + get("/healthz"), body: healthz),
    ].map { $0 }

    // RFC 9110 §9.1: an unrecognised method token → 501; a known method the target does
    // not support → 405 with `Allow` (§15.5.6); HEAD mirrors GET without content (§9.3.2).
    static let methods: [RawRequestCase] = [
        ok("unknown method token", "FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        ok("methods are case-sensitive", "get /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        ok("long unknown method", String(repeating: "M", count: 200) + " /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        ok("DELETE on GET-only route", "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405,
           headers: ["Allow": "GET, HEAD, OPTIONS"]),
        ok("POST on GET-only route", post("Content-Length: 0\r\n", path: "/healthz"), 405,
           headers: ["Allow": "GET, HEAD, OPTIONS"]),
        ok("PUT on parameter route", "PUT /items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405,
           headers: ["Allow": "GET, HEAD, OPTIONS"]),
        ok("PATCH on GET-only route", "PATCH /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405),
        ok("TRACE on GET-only route", "TRACE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        ok("GET on POST-only route", get("/echo"), 405, headers: ["Allow": "POST, OPTIONS"]),
        ok("HEAD on GET route", "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200,
           headers: ["Content-Length": "15", "Content-Type": "application/json"], isHead: true),
        ok("HEAD on missing route", "HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n", 404, isHead: true),
        ok("HEAD on POST-only route", "HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\n", 405, isHead: true),
        ok("OPTIONS on a path", "OPTIONS /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 204,
           headers: ["Allow": "GET, HEAD, OPTIONS"]),
        ok("OPTIONS on a POST path", "OPTIONS /echo HTTP/1.1\r\nHost: x\r\n\r\n", 204,
           headers: ["Allow": "POST, OPTIONS"]),
        ok("OPTIONS on a missing path", "OPTIONS /missing HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        ok("GET on missing path", get("/missing"), 404),
        ok("GET on a too deep path", get("/healthz/extra"), 404),
        ok("GET with trailing slash", get("/healthz/"), 404),
        closes("CONNECT authority-form", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", 400),
        closes("method with (", "GE(T /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("method with @", "G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        closes("method with non-ASCII byte", "GÉT /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ]

    // RFC 9112 §2.3 and RFC 9110 §2.5: HTTP-version is case-sensitive "HTTP/" DIGIT "." DIGIT;
    // an unsupported major version → 505; a higher 1.x minor is handled as HTTP/1.1.
    // RFC 9112 §9.3: 1.1 persists unless `close`; 1.0 persists only with `keep-alive`.
    static let versions: [RawRequestCase] = [
        ok("HTTP/1.1", get("/healthz"), body: healthz),
        closes("HTTP/1.0 without keep-alive", "GET /healthz HTTP/1.0\r\n\r\n", 200, body: healthz),
        ok("HTTP/1.0 with keep-alive", "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
           body: healthz, headers: ["Connection": "keep-alive"]),
        ok("HTTP/1.0 keep-alive token case", "GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
           headers: ["Connection": "keep-alive"]),
        closes("HTTP/1.0 with Host", "GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n", 200),
        ok("HTTP/1.2 handled as 1.1", "GET /healthz HTTP/1.2\r\nHost: x\r\n\r\n", body: healthz),
        closes("HTTP/2.0", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        closes("HTTP/3.0", "GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        closes("HTTP/0.9 version", "GET /healthz HTTP/0.9\r\nHost: x\r\n\r\n", 505),
        closes("HTTP/2 prior-knowledge preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        closes("lower-case http", "GET /healthz http/1.1\r\nHost: x\r\n\r\n", 400),
        closes("version without minor", "GET /healthz HTTP/1\r\nHost: x\r\n\r\n", 400),
        closes("two-digit major", "GET /healthz HTTP/11.1\r\nHost: x\r\n\r\n", 400),
        closes("letters as version", "GET /healthz HTTP/a.b\r\nHost: x\r\n\r\n", 400),
        closes("version with suffix", "GET /healthz HTTP/1.1x\r\nHost: x\r\n\r\n", 400),
        closes("garbage version", "GET /healthz FOO\r\nHost: x\r\n\r\n", 400),
    ]

    // RFC 9112 §3.2: a 1.1 request without Host, with more than one Host, or with an
    // invalid Host value → 400. RFC 9110 §7.2: an empty Host is allowed.
    static let host: [RawRequestCase] = [
        closes("missing Host in 1.1", "GET /healthz HTTP/1.1\r\n\r\n", 400),
        closes("duplicate identical Host", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n", 400),
        closes("duplicate different Host", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
        closes("Host with space", "GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        closes("Host with slash", "GET /healthz HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        closes("Host with @", "GET /healthz HTTP/1.1\r\nHost: user@x\r\n\r\n", 400),
        closes("Host with quote", "GET /healthz HTTP/1.1\r\nHost: \"x\"\r\n\r\n", 400),
        ok("Host with port", "GET /healthz HTTP/1.1\r\nHost: x:8080\r\n\r\n", body: healthz),
        ok("Host IPv6 literal", "GET /healthz HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", body: healthz),
        ok("empty Host", "GET /healthz HTTP/1.1\r\nHost:\r\n\r\n", body: healthz),
        ok("lower-case host field name", "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n", body: healthz),
        ok("Host after other fields", "GET /healthz HTTP/1.1\r\nAccept: */*\r\nHost: x\r\n\r\n", body: healthz),
    ]

    // RFC 9112 §5.1: no whitespace between field name and colon → 400; §5.2: obs-fold
    // → 400 (the server chooses rejection); §2.2: bare CR → 400, and this server
    // requires CRLF (bare LF refused); RFC 9110 §5.5: CTLs and NUL in values → 400;
    // RFC 9110 §5.1: field names are tokens.
    static let headerSyntax: [RawRequestCase] = [
        closes("space before colon", "GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        closes("tab before colon", "GET /healthz HTTP/1.1\r\nHost\t: x\r\n\r\n", 400),
        closes("space before colon on other field", get("/healthz", "X-A : 1\r\n"), 400),
        closes("obs-fold with space", get("/healthz", "X-A: one\r\n two\r\n"), 400),
        closes("obs-fold with tab", get("/healthz", "X-A: one\r\n\ttwo\r\n"), 400),
        closes("whitespace before first field", "GET /healthz HTTP/1.1\r\n Host: x\r\n\r\n", 400),
        closes("bare CR inside value", get("/healthz", "X-A: a\rb\r\n"), 400),
        closes("bare CR as line end", "GET /healthz HTTP/1.1\r\nHost: x\rX-A: 1\r\n\r\n", 400),
        closes("bare LF as header line end", "GET /healthz HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n", 400),
        closes("bare LF ends header section", "GET /healthz HTTP/1.1\r\nHost: x\r\n\n", 400),
        closes("all bare LF", "GET /healthz HTTP/1.1\nHost: x\n\n", 400),
        closes("NUL in value", bytes: withHeader("X-A: a", [0], "b"), 400, detail: "invalid character in the value"),
        closes("NUL in name", bytes: Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX".utf8) + [0] + Array("A: b\r\n\r\n".utf8), 400),
        closes("SOH in value", bytes: withHeader("X-A: a", [1], "b"), 400, detail: "invalid character in the value"),
        closes("ESC in value", bytes: withHeader("X-A: a", [0x1B], "b"), 400, detail: "invalid character in the value"),
        closes("DEL in value", bytes: withHeader("X-A: a", [0x7F], "b"), 400, detail: "invalid character in the value"),
        closes("empty field name", get("/healthz", ": value\r\n"), 400),
        closes("no colon", get("/healthz", "NoColonHere\r\n"), 400),
        closes("name with @", get("/healthz", "X@Y: 1\r\n"), 400),
        closes("name with quote", get("/healthz", "X\"Y: 1\r\n"), 400),
        closes("name with parenthesis", get("/healthz", "(X): 1\r\n"), 400),
        closes("name with slash", get("/healthz", "X/Y: 1\r\n"), 400),
        closes("name with obs-text", bytes: Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX".utf8) + [0xE9] + Array(": 1\r\n\r\n".utf8), 400),
        ok("obs-text in value accepted", bytes: withHeader("X-A: caf", [0xC3, 0xA9], ""), body: healthz),
        ok("tab inside value", get("/healthz", "X-A: a\tb\r\n"), body: healthz),
        ok("OWS around value", get("/healthz", "X-A: \t padded \t\r\n"), body: healthz),
        ok("empty field value", get("/healthz", "X-Empty:\r\n"), body: healthz),
        ok("colon inside value", get("/healthz", "X-Time: 12:30:00\r\n"), body: healthz),
        ok("token punctuation in name", get("/healthz", "X!#$%&'*+-.^_`|~: 1\r\n"), body: healthz),
        ok("8 KiB single field", get("/healthz", "X-Big: " + String(repeating: "v", count: 8192) + "\r\n"), body: healthz),
    ]

    // RFC 9112 §6.3 (5): an invalid Content-Length → 400 and close; RFC 9110 §8.6: a list
    // or repetition of one identical value MAY be accepted as that value (it is), any
    // other list is invalid. Values are 1*DIGIT: no sign, no hex, no exponent.
    static let contentLength: [RawRequestCase] = [
        ok("valid Content-Length", post("Content-Length: 5\r\n", "hello"), body: "hello"),
        ok("zero Content-Length", post("Content-Length: 0\r\n"), body: ""),
        ok("no Content-Length means no body", post(""), body: ""),
        ok("leading zeros", post("Content-Length: 005\r\n", "hello"), body: "hello"),
        ok("tab padding", post("Content-Length:\t5\t\r\n", "hello"), body: "hello"),
        ok("space padding", post("Content-Length:   5   \r\n", "hello"), body: "hello"),
        ok("identical duplicate lines", post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), body: "hello"),
        ok("identical list", post("Content-Length: 5, 5\r\n", "hello"), body: "hello"),
        ok("identical list without space", post("Content-Length: 5,5\r\n", "hello"), body: "hello"),
        ok("body on GET is read and ignored", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", body: healthz),
        ok("lower-case field name", post("content-length: 5\r\n", "hello"), body: "hello"),
        closes("non-numeric", post("Content-Length: abc\r\n"), 400),
        closes("plus sign", post("Content-Length: +5\r\n", "hello"), 400),
        closes("minus one", post("Content-Length: -1\r\n"), 400),
        closes("hex", post("Content-Length: 0x10\r\n", "0123456789abcdef"), 400),
        closes("exponent", post("Content-Length: 1e1\r\n", "0123456789"), 400),
        closes("decimal point", post("Content-Length: 5.0\r\n", "hello"), 400),
        closes("inner space", post("Content-Length: 5 5\r\n", "hello"), 400),
        closes("empty value", post("Content-Length:\r\n"), 400),
        closes("overflow 20 digits", post("Content-Length: 99999999999999999999\r\n"), 400),
        closes("overflow Int64", post("Content-Length: 9223372036854775808\r\n"), 400),
        closes("differing duplicate lines", post("Content-Length: 1\r\nContent-Length: 2\r\n", "ab"), 400),
        closes("differing list", post("Content-Length: 5, 6\r\n", "hello!"), 400),
        closes("list with empty element", post("Content-Length: 5,\r\n", "hello"), 400),
        closes("list with leading empty element", post("Content-Length: ,5\r\n", "hello"), 400),
        closes("18 digits is over the body limit", post("Content-Length: 999999999999999999\r\n"), 413),
    ]

    // RFC 9112 §6.1: Content-Length with Transfer-Encoding → reject (400) and close;
    // §6.3 (4): chunked must be the final coding, else 400; §6.1: TE in an HTTP/1.0 request
    // is refused (faulty framing); RFC 9110 §10.1.4 / §15.6.2: an unknown coding → 501.
    static let transferEncoding: [RawRequestCase] = [
        ok("chunked", chunked("5\r\nhello\r\n0\r\n\r\n"), body: "hello"),
        ok("chunked case-insensitive", post("Transfer-Encoding: Chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), body: "hello"),
        ok("chunked with tab OWS", post("Transfer-Encoding:\tchunked\t\r\n", "5\r\nhello\r\n0\r\n\r\n"), body: "hello"),
        closes("Content-Length then Transfer-Encoding", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400),
        closes("Transfer-Encoding then Content-Length", post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"), 400),
        closes("Content-Length 0 with chunked", post("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400),
        closes("chunked, identity", post("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n"), 400),
        closes("identity alone", post("Transfer-Encoding: identity\r\n", "0\r\n\r\n"), 400),
        closes("identity with Content-Length", post("Transfer-Encoding: identity\r\nContent-Length: 5\r\n", "hello"), 400),
        closes("gzip alone", post("Transfer-Encoding: gzip\r\n", "0\r\n\r\n"), 400),
        closes("gzip, chunked", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501),
        closes("deflate, chunked", post("Transfer-Encoding: deflate, chunked\r\n", "0\r\n\r\n"), 501),
        closes("gzip and chunked on two lines", post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 501),
        closes("chunkedchunked", post("Transfer-Encoding: chunkedchunked\r\n", "0\r\n\r\n"), 400),
        closes("chunked, chunked", post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), 400),
        closes("duplicate chunked lines", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400),
        closes("chunked with parameter", post("Transfer-Encoding: chunked;q=1\r\n", "0\r\n\r\n"), 400),
        closes("empty Transfer-Encoding", post("Transfer-Encoding:\r\n", "0\r\n\r\n"), 400),
        closes("Transfer-Encoding in HTTP/1.0", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        closes("space before colon in Transfer-Encoding", post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n"), 400),
        closes("Transfer-Encoding in obs-fold", post("Transfer-Encoding:\r\n chunked\r\n", "0\r\n\r\n"), 400),
        closes("x-custom coding", post("Transfer-Encoding: x-custom\r\n", "0\r\n\r\n"), 400),
    ]

    // RFC 9112 §7.1: chunk = chunk-size [chunk-ext] CRLF chunk-data CRLF; last-chunk and
    // trailer section; §7.1.1 extensions (token or quoted-string values); §7.1.2 trailers
    // may be discarded. This server refuses whitespace and bare LF in chunk framing.
    static let chunkedBodies: [RawRequestCase] = [
        ok("several chunks", chunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), body: "hello world"),
        ok("upper-case hex size", chunked("A\r\n0123456789\r\n0\r\n\r\n"), body: "0123456789"),
        ok("lower-case hex size", chunked("a\r\n0123456789\r\n0\r\n\r\n"), body: "0123456789"),
        ok("leading zeros in size", chunked("0005\r\nhello\r\n0\r\n\r\n"), body: "hello"),
        ok("empty chunked body", chunked("0\r\n\r\n"), body: ""),
        ok("extension with token value", chunked("5;name=value\r\nhello\r\n0\r\n\r\n"), body: "hello"),
        ok("extension without value", chunked("5;flag\r\nhello\r\n0\r\n\r\n"), body: "hello"),
        ok("several extensions", chunked("5;a=1;b;c=x\r\nhello\r\n0\r\n\r\n"), body: "hello"),
        ok("quoted extension", chunked("5;name=\"quoted value\"\r\nhello\r\n0\r\n\r\n"), body: "hello"),
        ok("quoted extension with escaped quote", chunked("5;name=\"a\\\"b\"\r\nhello\r\n0\r\n\r\n"), body: "hello"),
        ok("extension on last chunk", chunked("5\r\nhello\r\n0;end\r\n\r\n"), body: "hello"),
        ok("trailers ignored", chunked("5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"), body: "hello"),
        ok("body exactly at the limit", chunked("400\r\n" + String(repeating: "b", count: 1024) + "\r\n0\r\n\r\n"),
           body: String(repeating: "b", count: 1024)),
        closes("non-hex size", chunked("zz\r\nhello\r\n0\r\n\r\n"), 400),
        closes("0x prefix", chunked("0x5\r\nhello\r\n0\r\n\r\n"), 400),
        closes("negative size", chunked("-5\r\nhello\r\n0\r\n\r\n"), 400),
        closes("empty size line", chunked("\r\nhello\r\n0\r\n\r\n"), 400),
        closes("size overflow", chunked("ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"), 400),
        closes("16 hex digits", chunked("1000000000000000\r\nhello\r\n"), 400),
        closes("space after size", chunked("5 \r\nhello\r\n0\r\n\r\n"), 400),
        closes("space before size", chunked(" 5\r\nhello\r\n0\r\n\r\n"), 400),
        closes("space before extension", chunked("5 ;a=b\r\nhello\r\n0\r\n\r\n"), 400),
        closes("tab after size", chunked("5\t\r\nhello\r\n0\r\n\r\n"), 400),
        closes("extension with empty name", chunked("5;=x\r\nhello\r\n0\r\n\r\n"), 400),
        closes("extension with empty value", chunked("5;a=\r\nhello\r\n0\r\n\r\n"), 400),
        closes("unterminated quoted extension", chunked("5;a=\"open\r\nhello\r\n0\r\n\r\n"), 400),
        closes("extension with bad token", chunked("5;a=b c\r\nhello\r\n0\r\n\r\n"), 400),
        closes("data longer than size", chunked("5\r\nhelloXX\r\n0\r\n\r\n"), 400),
        closes("missing CRLF after data", chunked("5\r\nhello0\r\n\r\n"), 400),
        closes("bare LF after size", chunked("5\nhello\r\n0\r\n\r\n"), 400),
        closes("bare LF after data", chunked("5\r\nhello\n0\r\n\r\n"), 400),
        closes("bare CR after data", chunked("5\r\nhello\r0\r\n\r\n"), 400),
        closes("bare LF after last chunk", chunked("5\r\nhello\r\n0\n\r\n"), 400),
        closes("invalid trailer line", chunked("5\r\nhello\r\n0\r\nNoColon\r\n\r\n"), 400),
        closes("obs-fold in trailers", chunked("5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n"), 400),
        closes("oversized trailer section", chunked("5\r\nhello\r\n0\r\nX-Trailer: " + String(repeating: "t", count: 33 * 1024) + "\r\n\r\n"), 431),
        closes("missing last chunk times out", chunked("5\r\nhello\r\n"), 408),
        closes("missing data times out", chunked("5\r\nhel"), 408),
        closes("chunk size over the body limit", chunked("401\r\n"), 413),
        closes("sum of chunks over the body limit",
               chunked("200\r\n" + String(repeating: "a", count: 512) + "\r\n201\r\n"), 413),
    ]

    // RFC 9110 §10.1.1: 100-continue is the only expectation; anything else → 417.
    // A body already sent needs no interim response; HTTP/1.0 ignores Expect.
    // (The interactive 100 Continue exchange is in HTTPConnectionTests.)
    static let expectations: [RawRequestCase] = [
        ok("100-continue with body already sent", post("Expect: 100-continue\r\nContent-Length: 5\r\n", "hello"), body: "hello"),
        ok("100-continue case-insensitive", post("Expect: 100-Continue\r\nContent-Length: 5\r\n", "hello"), body: "hello"),
        ok("100-continue without body", post("Expect: 100-continue\r\nContent-Length: 0\r\n"), body: ""),
        ok("Expect ignored in HTTP/1.0",
           "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\nhi", body: "hi"),
        closes("unknown expectation", post("Expect: teapot\r\nContent-Length: 0\r\n"), 417),
        closes("100-continue with extra token", post("Expect: 100-continue, teapot\r\nContent-Length: 0\r\n"), 417),
        closes("100-continue with too-large body", post("Expect: 100-continue\r\nContent-Length: 1025\r\n"), 413),
    ]

    // RFC 9112 §3: request lines of at least 8000 octets are supported, longer → 414
    // (RFC 9110 §15.5.15); RFC 6585 §5: header section over the limit → 431;
    // RFC 9110 §15.5.14: content over the limit → 413, decided from Content-Length
    // before any body byte is read.
    static let limits: [RawRequestCase] = {
        let fillerForLine = 8192 - "GET /items/".utf8.count - " HTTP/1.1".utf8.count
        let longID = String(repeating: "a", count: fillerForLine)
        // Header section = field lines with their CRLFs: "Host: x\r\n" (9) + "X-Fill: …\r\n" (10 + n).
        let sectionFiller = 32 * 1024 - 9 - 10
        return [
            ok("request line of exactly 8 KiB", "GET /items/\(longID) HTTP/1.1\r\nHost: x\r\n\r\n",
               body: "{\"id\":\"\(longID)\"}"),
            closes("request line of 8 KiB + 1", "GET /items/\(longID)a HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            closes("request line of 64 KiB", "GET /" + String(repeating: "a", count: 65536) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            closes("unterminated 9 KiB request line", "GET /" + String(repeating: "a", count: 9 * 1024), 414),
            ok("header section of exactly 32 KiB", get("/healthz", "X-Fill: " + String(repeating: "f", count: sectionFiller) + "\r\n"),
               body: healthz),
            closes("header section of 32 KiB + 1", get("/healthz", "X-Fill: " + String(repeating: "f", count: sectionFiller + 1) + "\r\n"), 431),
            closes("many 1 KiB fields over 32 KiB", get("/healthz", (0..<40).map { "X-\($0): " + String(repeating: "v", count: 1000) + "\r\n" }.joined()), 431),
            ok("100 header fields", get("/healthz", (1..<100).map { "X-\($0): v\r\n" }.joined()), body: healthz),
            closes("101 header fields", get("/healthz", (1...100).map { "X-\($0): v\r\n" }.joined()), 431),
            closes("1000 empty-valued fields", get("/healthz", (1...1000).map { "X-\($0):\r\n" }.joined()), 431),
            ok("body at the limit", post("Content-Length: 1024\r\n", String(repeating: "b", count: 1024)),
               body: String(repeating: "b", count: 1024)),
            closes("Content-Length over the limit, no body sent", post("Content-Length: 1025\r\n"), 413),
            closes("Content-Length of 1 GB, no body sent", post("Content-Length: 1000000000\r\n"), 413),
        ]
    }()

    // RFC 3986 §2.1 and §6.2.2.2: percent-escapes are decoded per segment; an invalid
    // escape, invalid UTF-8, an encoded "/" or NUL inside a segment, or a ".." segment
    // (RFC 3986 §5.2.4, RFC 9110 §4.2.3 dot-segment traversal) → 400.
    static let targets: [RawRequestCase] = [
        closes("encoded dot-dot", get("/items/%2e%2e"), 400),
        closes("encoded upper-case dot-dot", get("/items/%2E%2E"), 400),
        closes("mixed encoded dot-dot", get("/items/.%2e"), 400),
        closes("literal dot-dot", get("/items/.."), 400),
        closes("dot-dot climbing out of root", get("/../healthz"), 400),
        closes("dot-dot in the middle", get("/items/../healthz"), 400),
        closes("encoded slash lower-case", get("/items/a%2fb"), 400),
        closes("encoded slash upper-case", get("/items/a%2Fb"), 400),
        closes("encoded NUL", get("/items/a%00b"), 400),
        closes("bad escape hex", get("/items/%zz"), 400),
        closes("truncated escape", get("/items/%2"), 400),
        closes("lone percent", get("/items/%"), 400),
        closes("escape of invalid UTF-8", get("/items/%FF"), 400),
        closes("overlong UTF-8 escape", get("/items/%C0%AE"), 400),
        closes("bad escape in query", get("/healthz?q=%zz"), 400),
        ok("single dot segment dropped", get("/items/./7"), body: "{\"id\":\"7\"}"),
        ok("encoded dot segment dropped", get("/items/%2e/7"), body: "{\"id\":\"7\"}"),
        ok("escaped space decoded", get("/items/hello%20world"), body: "{\"id\":\"hello world\"}"),
        ok("escaped UTF-8 decoded", get("/items/caf%C3%A9"), body: "{\"id\":\"café\"}"),
        ok("escaped letters decoded", get("/items/%41%62c"), body: "{\"id\":\"Abc\"}"),
        ok("plus kept in path", get("/items/a+b"), body: "{\"id\":\"a+b\"}"),
        ok("escaped healthz route", get("/%68ealthz"), body: healthz),
        ok("valid escape in query", get("/healthz?q=%41+b"), body: healthz),
        ok("fragment-like character in query", get("/healthz?q=1#frag"), body: healthz),
        ok("double slash is an empty segment", get("//healthz"), 404),
        ok("dot-dot inside a longer segment is fine", get("/items/a..b"), body: "{\"id\":\"a..b\"}"),
    ]

    // RFC 9112 §9.3: persistence, `Connection: close`; §9.3.2: pipelining answered in order.
    static let connectionManagement: [RawRequestCase] = [
        closes("Connection: close honoured", get("/healthz", "Connection: close\r\n"), 200, body: healthz),
        closes("Connection: close case-insensitive", get("/healthz", "Connection: Close\r\n"), 200),
        closes("close among other tokens", get("/healthz", "Connection: keep-alive, close\r\n"), 200),
        closes("close on a second Connection line", get("/healthz", "Connection: keep-alive\r\nConnection: close\r\n"), 200),
        ok("Connection: keep-alive on 1.1", get("/healthz", "Connection: keep-alive\r\n"), body: healthz),
        ok("two pipelined GETs", get("/items/1") + get("/items/2"), body: "{\"id\":\"1\"}", then: [200]),
        ok("pipelined POST then GET", post("Content-Length: 3\r\n", "abc") + get("/items/2"), body: "abc", then: [200]),
        ok("pipelined chunked POST then GET", chunked("3\r\nabc\r\n0\r\n\r\n") + get("/items/2"), body: "abc", then: [200]),
        ok("pipelined GET then 404", get("/items/1") + get("/missing"), body: "{\"id\":\"1\"}", then: [404]),
        closes("pipelined request after close is not answered", get("/healthz", "Connection: close\r\n") + get("/items/2"), 200),
        closes("bad request after a good one", get("/items/1") + "GET /a HTTP/9.9\r\nHost: x\r\n\r\n", 200, then: [505]),
    ]

    // RFC 9112 §11.2 (request smuggling): bytes inside a body are never parsed as a
    // request, and after a framing error nothing more is answered.
    static let smuggling: [RawRequestCase] = {
        let inner = "GET /items/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
        let innerLength = inner.utf8.count
        return [
            ok("request inside a Content-Length body is data", post("Content-Length: \(innerLength)\r\n", inner), body: inner),
            ok("request inside a chunk is data", chunked(String(innerLength, radix: 16) + "\r\n" + inner + "\r\n0\r\n\r\n"), body: inner),
            closes("CL.TE: chunked body hides a request", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + inner), 400),
            closes("TE.CL: long CL hides a request", post("Transfer-Encoding: chunked\r\nContent-Length: 50\r\n", "0\r\n\r\n" + inner), 400),
            closes("duplicate CL hides a request", post("Content-Length: 0\r\nContent-Length: \(innerLength)\r\n", inner), 400),
            closes("TE obfuscated with identity hides a request", post("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n" + inner), 400),
            closes("bad chunk size hides a request", chunked("5 \r\nhello\r\n0\r\n\r\n" + inner), 400),
            closes("bare LF chunk terminator hides a request", chunked("5\r\nhello\n0\r\n\r\n" + inner), 400),
            closes("oversized body hides a request", post("Content-Length: 2000\r\n", inner), 413),
            closes("unsupported coding hides a request", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n" + inner), 501),
            closes("expectation failure hides a request", post("Expect: nope\r\nContent-Length: \(innerLength)\r\n", inner), 417),
        ]
    }()
}
