import Testing
@testable import HTTP

/// RFC 7578 / RFC 2046 §5.1 parsing, with the shapes `curl -F` produces.
@Suite struct MultipartFormDataTests {
    static func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func curlStyleFileAndFieldsParse() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF, 0x0D, 0x0A]
        var bytes = Self.body("--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a b.png\"\r\nContent-Type: image/png\r\n\r\n")
        bytes += png
        bytes += Self.body("\r\n--XyZ\r\nContent-Disposition: form-data; name=\"steps\"\r\n\r\n4\r\n--XyZ--\r\n")
        let form = try MultipartFormData(parsing: bytes, boundary: "XyZ")
        #expect(form.parts.count == 2)
        let image = try #require(form.part(named: "image"))
        #expect(image.fileName == "a b.png")
        #expect(image.contentType == "image/png")
        #expect(image.body == png)  // CRLF inside file data is kept
        #expect(form.part(named: "steps")?.text == "4")
        #expect(form.part(named: "steps")?.contentType == "text/plain")
    }

    @Test func preambleEpilogueEmptyHeadersAndEscapesAreHandled() throws {
        let bytes = Self.body("ignored preamble\r\n--b\r\nContent-Disposition: form-data; name=\"q\\\"x\"\r\n\r\nv\r\n--b--\r\nepilogue")
        let form = try MultipartFormData(parsing: bytes, boundary: "b")
        #expect(form.parts.map(\.name) == ["q\"x"])
        // A part without headers has no name: refused.
        #expect(throws: MultipartError.missingName) {
            try MultipartFormData(parsing: Self.body("--b\r\n\r\nv\r\n--b--"), boundary: "b")
        }
    }

    @Test func boundaryComesFromTheContentType() throws {
        #expect(try MultipartFormData.boundary(fromContentType: "multipart/form-data; boundary=----abc") == "----abc")
        #expect(try MultipartFormData.boundary(fromContentType: "Multipart/Form-Data; charset=x; boundary=\"a b\"") == "a b")
        #expect(try MultipartFormData.boundary(fromContentType: "application/json") == nil)
        #expect(throws: MultipartError.invalidBoundary) { try MultipartFormData.boundary(fromContentType: "multipart/form-data") }
        #expect(throws: MultipartError.invalidBoundary) {
            try MultipartFormData.boundary(fromContentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71))
        }
    }

    @Test(arguments: [
        ("", MultipartError.missingBoundary),
        ("--b", MultipartError.malformedDelimiter),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated", MultipartError.truncated),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"", MultipartError.truncated),
        ("--bX\r\n", MultipartError.malformedDelimiter),
        ("xx--b\r\n\r\n\r\n--b--", MultipartError.missingBoundary),
        ("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--", MultipartError.malformedPartHeader("Content-Disposition must be form-data")),
        ("--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--", MultipartError.malformedPartHeader("unterminated quoted string in Content-Disposition")),
        ("--b\r\nBad Header: x\r\n\r\nv\r\n--b--", MultipartError.malformedPartHeader("whitespace between header field name and colon")),
    ])
    func malformedBodiesAreRefused(body: String, expected: MultipartError) {
        #expect(throws: expected) { try MultipartFormData(parsing: Self.body(body), boundary: "b") }
    }

    @Test func limitsAreEnforced() {
        var limits = MultipartFormData.Limits()
        limits.maxParts = 2
        let three = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n3\r\n--b--"
        #expect(throws: MultipartError.tooManyParts(limit: 2)) { try MultipartFormData(parsing: Self.body(three), boundary: "b", limits: limits) }
        limits = MultipartFormData.Limits()
        limits.maxPartHeaderBytes = 64
        let longHeader = "--b\r\nX-Long: " + String(repeating: "y", count: 200) + "\r\n\r\nv\r\n--b--"
        #expect(throws: MultipartError.partHeadersTooLarge(limit: 64)) { try MultipartFormData(parsing: Self.body(longHeader), boundary: "b", limits: limits) }
    }
}
