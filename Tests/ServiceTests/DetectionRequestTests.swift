import Foundation
import HTTP
import Testing
@testable import Service

/// `DetectionRequest`: the same options from multipart fields, a raw image body with a query
/// string, or JSON; every violation is a `RequestBodyError` naming the field.
@Suite struct DetectionRequestTests {
    static let limits = ServiceConfiguration.DetectionSettings()
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]

    static func request(contentType: String?, body: [UInt8], query: [(String, String)] = [],
                        accept: String? = nil) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let contentType { headers.add("Content-Type", contentType) }
        if let accept { headers.add("Accept", accept) }
        return HTTPRequest(method: .post, target: "/v1/detect", version: .http1_1, path: "/v1/detect",
                           pathSegments: ["v1", "detect"], queryItems: query.map { (name: $0.0, value: $0.1) },
                           headers: headers, body: body)
    }

    static func parse(_ request: HTTPRequest) throws(RequestBodyError) -> DetectionRequest {
        try DetectionRequest(request, limits: limits)
    }

    static func multipart(_ parts: [(name: String, fileName: String?, body: [UInt8])]) -> (String, [UInt8]) {
        let boundary = "XyZ-boundary-42"
        var body: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { head += "; filename=\"\(fileName)\"\r\nContent-Type: image/png" }
            head += "\r\n\r\n"
            body += Array(head.utf8) + part.body + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    @Test func multipartCarriesTheFileAndTextOptions() throws {
        let (type, body) = Self.multipart([
            ("image", "photo.png", Self.png), ("steps", nil, Array("4".utf8)), ("boxes", nil, Array("300".utf8)),
            ("score_threshold", nil, Array("0.25".utf8)), ("seed", nil, Array("7".utf8)),
            ("include_final_step", nil, Array("false".utf8)),
        ])
        let parsed = try Self.parse(Self.request(contentType: type, body: body))
        #expect(parsed.imageBytes == Self.png)
        #expect(parsed.steps == 4)
        #expect(parsed.boxes == 300)
        #expect(parsed.scoreThreshold == 0.25)
        #expect(parsed.seed == 7)
        #expect(parsed.includeFinalStep == false)
        #expect(parsed.format == .json)
    }

    @Test func rawBodyTakesOptionsFromTheQuery() throws {
        let parsed = try Self.parse(Self.request(contentType: "image/png", body: Self.png,
                                                 query: [("steps", "2"), ("format", "png"), ("model", "det")]))
        #expect(parsed.imageBytes == Self.png)
        #expect(parsed.steps == 2)
        #expect(parsed.model == "det")
        #expect(parsed.format == .png)
    }

    @Test func jsonCarriesBase64AndTypedOptions() throws {
        let base64 = Data(Self.png).base64EncodedString()
        let body = #"{"image": "data:image/png;base64,\#(base64)", "steps": 3, "boxes": 50, "seed": 9007199254740991, "async": true, "timeout_ms": 5000}"#
        let parsed = try Self.parse(Self.request(contentType: "application/json", body: Array(body.utf8)))
        #expect(parsed.imageBytes == Self.png)
        #expect(parsed.steps == 3)
        #expect(parsed.boxes == 50)
        #expect(parsed.seed == 9_007_199_254_740_991)
        #expect(parsed.jobOptions.async == true)
        #expect(parsed.jobOptions.timeoutMilliseconds == 5000)
    }

    /// OpenAPI documents every option both as a query parameter and as a body field; when a client sends
    /// both, the body's value is the one used.
    @Test func bodyOptionsOverrideQueryOptions() throws {
        let body = #"{"image": "\#(Data(Self.png).base64EncodedString())", "steps": 2}"#
        let parsed = try Self.parse(Self.request(contentType: "application/json", body: Array(body.utf8),
                                                 query: [("steps", "3"), ("boxes", "7")]))
        #expect(parsed.steps == 2)
        #expect(parsed.boxes == 7)
        let (type, form) = Self.multipart([("image", "a.png", Self.png), ("model", nil, Array("from-form".utf8))])
        let fromForm = try Self.parse(Self.request(contentType: type, body: form, query: [("model", "from-query")]))
        #expect(fromForm.model == "from-form")
    }

    @Test func streamsAnswerInJSONWhateverTheFormat() throws {
        let body = #"{"image": "\#(Data(Self.png).base64EncodedString())", "format": "png", "stream": true}"#
        let parsed = try Self.parse(Self.request(contentType: "application/json", body: Array(body.utf8)))
        #expect(parsed.format == .json)
    }

    @Test func acceptImagePNGAsksForTheDrawing() throws {
        let parsed = try Self.parse(Self.request(contentType: "image/png", body: Self.png, accept: "image/png"))
        #expect(parsed.format == .png)
    }

    static let base64 = Data(png).base64EncodedString()

    /// Each bad request and the field its error names.
    static let invalid: [(String, String?, String, [(String, String)], String)] = [
        ("no image in JSON", "application/json", #"{"steps": 1}"#, [], "image"),
        ("image not a string", "application/json", #"{"image": 5}"#, [], "image"),
        ("image not base64", "application/json", #"{"image": "***"}"#, [], "image"),
        ("steps zero", "application/json", #"{"image": "\#(base64)", "steps": 0}"#, [], "steps"),
        ("steps over the cap", "application/json", #"{"image": "\#(base64)", "steps": 17}"#, [], "steps"),
        ("steps fractional", "application/json", #"{"image": "\#(base64)", "steps": 1.5}"#, [], "steps"),
        ("steps a word", "application/json", #"{"image": "\#(base64)", "steps": "many"}"#, [], "steps"),
        ("boxes over the cap", "application/json", #"{"image": "\#(base64)", "boxes": 2001}"#, [], "boxes"),
        ("threshold over 1", "application/json", #"{"image": "\#(base64)", "score_threshold": 1.5}"#, [], "score_threshold"),
        ("negative seed", "application/json", #"{"image": "\#(base64)", "seed": -1}"#, [], "seed"),
        ("unknown option", "application/json", #"{"image": "\#(base64)", "stepz": 4}"#, [], "stepz"),
        ("bad format", "application/json", #"{"image": "\#(base64)", "format": "gif"}"#, [], "format"),
        ("bool as number", "application/json", #"{"image": "\#(base64)", "include_final_step": 3}"#, [], "include_final_step"),
        ("query option twice", "image/png", "x", [("steps", "2"), ("steps", "3")], "steps"),
        // JSONDecoder keeps the first of two same-named members; found by Fuzz/DetectionRequest.
        ("JSON member twice", "application/json", #"{"image": "\#(base64)", "steps": 1, "steps": 16}"#, [], "steps"),
        ("JSON member twice, escaped", "application/json", #"{"image": "\#(base64)", "st\u0065ps": 1, "steps": 2}"#, [], "steps"),
        ("image twice in JSON", "application/json", #"{"image": "\#(base64)", "model": {"image": 1}, "image": "AAAA"}"#, [], "image"),
        ("timeout out of range", "application/json", #"{"image": "\#(base64)", "timeout_ms": 0}"#, [], "timeout_ms"),
        ("empty raw body", "image/png", "", [], "image"),
        ("unknown query option", "image/png", "x", [("color", "red")], "color"),
    ]

    @Test(arguments: 0..<invalid.count) func invalidOptionsNameTheirField(index: Int) {
        let (name, type, body, query, field) = Self.invalid[index]
        do {
            _ = try Self.parse(Self.request(contentType: type, body: Array(body.utf8), query: query))
            Issue.record("\(name): accepted")
        } catch {
            guard case .invalidField(let named, _) = error else {
                Issue.record("\(name): \(error)")
                return
            }
            #expect(named == field, "\(name)")
        }
    }

    @Test func otherMediaTypesAre415() {
        #expect(throws: RequestBodyError.unsupportedMediaType("text/plain")) {
            try Self.parse(Self.request(contentType: "text/plain", body: Array("hi".utf8)))
        }
    }

    @Test func malformedJSONIsNamedAsSuch() {
        do {
            _ = try Self.parse(Self.request(contentType: "application/json", body: Array("{".utf8)))
            Issue.record("accepted")
        } catch {
            guard case .malformedJSON = error else {
                Issue.record("\(error)")
                return
            }
        }
        do {
            _ = try Self.parse(Self.request(contentType: "application/json", body: Array("[1]".utf8)))
            Issue.record("accepted")
        } catch {
            guard case .malformedJSON = error else {
                Issue.record("\(error)")
                return
            }
        }
    }

    /// JSON whose structure scans but one member's scalar is malformed. `JSONDecoder` checks a
    /// scalar's syntax only when it is decoded, so these once came back as 422 "steps must be an
    /// integer" / "model must be a string" instead of malformed JSON (found by
    /// `Fuzz/DetectionRequest`: a raw NUL inside a string).
    static let malformedScalars: [(String, String)] = [
        ("leading zero", #"{"image": "\#(base64)", "steps": 01}"#),
        ("negative leading zero", #"{"image": "\#(base64)", "steps": -01}"#),
        ("trailing dot", #"{"image": "\#(base64)", "steps": 1.}"#),
        ("overflowing number", #"{"image": "\#(base64)", "score_threshold": 1e999}"#),
        ("unknown escape", #"{"image": "\#(base64)", "model": "a\qb"}"#),
        ("lone surrogate", #"{"image": "\#(base64)", "model": "\ud800"}"#),
        ("raw control character in the image", "{\"image\": \"\(base64)\u{01}\"}"),
        ("raw NUL in an unknown member", "{\"image\": \"\(base64)\", \"note\": \"a\u{00}b\"}"),
    ]

    @Test(arguments: 0..<malformedScalars.count) func malformedScalarsAreMalformedJSON(index: Int) {
        let (name, body) = Self.malformedScalars[index]
        do {
            _ = try Self.parse(Self.request(contentType: "application/json", body: Array(body.utf8)))
            Issue.record("\(name): accepted")
        } catch {
            guard case .malformedJSON = error else {
                Issue.record("\(name): \(error)")
                return
            }
        }
    }

    /// JSONDecoder also reads UTF-16 and UTF-32 bodies, where the repeated-member check cannot
    /// look; RFC 8259 §8.1 asks for UTF-8, so anything else is malformed.
    @Test func nonUTF8JSONIsMalformed() {
        let text = #"{"image": "\#(Self.base64)", "steps": 1, "steps": 16}"#
        var body: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { body += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        do {
            _ = try Self.parse(Self.request(contentType: "application/json", body: body))
            Issue.record("accepted")
        } catch {
            guard case .malformedJSON = error else {
                Issue.record("\(error)")
                return
            }
        }
    }

    /// Arrays and objects are not descended into: whatever they hold, the option is refused by name.
    @Test(arguments: [("model", #"{"a": 01}"#), ("steps", "[1]")])
    func structuredValuesNameTheirField(field: String, value: String) {
        let body = #"{"image": "\#(Self.base64)", "\#(field)": \#(value)}"#
        do {
            _ = try Self.parse(Self.request(contentType: "application/json", body: Array(body.utf8)))
            Issue.record("\(body): accepted")
        } catch {
            guard case .invalidField(let named, _) = error else {
                Issue.record("\(body): \(error)")
                return
            }
            #expect(named == field)
        }
    }

    @Test func malformedMultipartNamesTheBody() {
        let (type, _) = Self.multipart([])
        do {
            _ = try Self.parse(Self.request(contentType: type, body: Array("garbage".utf8)))
            Issue.record("accepted")
        } catch {
            guard case .invalidField("body", _) = error else {
                Issue.record("\(error)")
                return
            }
        }
    }
}
