import Testing
@testable import Weights

@Suite("HeaderJSONParser")
struct HeaderJSONParserTests {

    static func parse(_ text: String) throws(HeaderJSONParser.Failure) -> HeaderJSONValue {
        let bytes = Array(text.utf8)
        let result: Result<HeaderJSONValue, HeaderJSONParser.Failure> = bytes.withUnsafeBytes { buffer in
            Result { () throws(HeaderJSONParser.Failure) in try HeaderJSONParser.parse(buffer) }
        }
        return try result.get()
    }

    static func failure(_ text: String) -> HeaderJSONParser.Failure? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("parses every value kind and keeps member order and duplicates")
    func values() throws {
        let value = try Self.parse(#" { "b" : [1, -2, 3.5e-1, true, false, null], "a" : {}, "b": "x" }  "#)
        #expect(value == .object([
            HeaderJSONMember(key: "b", value: .array([.number("1"), .number("-2"), .number("3.5e-1"),
                                                      .bool(true), .bool(false), .null])),
            HeaderJSONMember(key: "a", value: .object([])),
            HeaderJSONMember(key: "b", value: .string("x")),
        ]))
    }

    @Test("decodes escapes, including surrogate pairs")
    func escapes() throws {
        let value = try Self.parse(#""q\"b\\s\/\b\f\n\r\t\u00e9\ud83d\ude00""#)
        #expect(value == .string("q\"b\\s/\u{8}\u{c}\n\r\té😀"))
    }

    @Test("accepts raw UTF-8 in strings")
    func rawUnicode() throws {
        #expect(try Self.parse("\"名前.weight\"") == .string("名前.weight"))
    }

    @Test("rejects malformed JSON with the offset where it stopped", arguments: [
        ("", 0), ("{", 1), ("{\"a\"}", 4), ("[1,]", 3), ("[1 2]", 3), ("01", 1), ("-", 1), ("1.", 2),
        ("1e", 2), ("tru", 3), ("nul", 3), ("\"\\x\"", 3), ("\"\\u12G4\"", 5), ("\"\\ud800\"", 7),
        ("\"\\ud800\\u0041\"", 13), ("\"\\udc00\"", 7), ("\"abc", 4), ("{} {}", 3), ("+1", 0), ("\"\t\"", 2),
    ])
    func malformed(text: String, offset: Int) {
        let failure = Self.failure(text)
        #expect(failure != nil)
        #expect(failure?.offset == offset, "\(String(describing: failure))")
    }

    @Test("limits nesting depth instead of exhausting the stack")
    func depth() throws {
        let depth = HeaderJSONParser.maximumDepth
        _ = try Self.parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        #expect(Self.failure(tooDeep)?.reason.contains("nesting") == true)
        #expect(Self.failure(String(repeating: "{\"a\":", count: 100_000)) != nil)
    }

    @Test("rejects invalid UTF-8 inside strings")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        let failure: HeaderJSONParser.Failure? = bytes.withUnsafeBytes { buffer -> HeaderJSONParser.Failure? in
            do throws(HeaderJSONParser.Failure) {
                _ = try HeaderJSONParser.parse(buffer)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure?.reason == "string is not valid UTF-8")
    }
}

extension HeaderJSONParserTests {
    @Test("rejects overlong encodings and encoded surrogates", arguments: [
        [0xC0, 0xAF] as [UInt8], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
    ])
    func strictUTF8(sequence: [UInt8]) {
        let bytes: [UInt8] = [0x22] + sequence + [0x22]
        let failed = bytes.withUnsafeBytes { buffer -> Bool in
            do throws(HeaderJSONParser.Failure) {
                _ = try HeaderJSONParser.parse(buffer)
                return false
            } catch {
                return true
            }
        }
        #expect(failed)
    }
}
