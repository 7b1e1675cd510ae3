import Foundation
import HTTP

/// Named request options read the same way whether they came as JSON members, as
/// `multipart/form-data` text fields or as query parameters.
///
/// Routes that accept an upload in several encodings (`POST /v1/detect`) collect their
/// options here once and read typed values through one set of accessors, so a value out
/// of range or of the wrong type is the same 422 naming the field in every encoding.
/// Unknown names are refused (`requireOnly`), so a misspelt option is not silently ignored.
struct RequestFields {
    /// One option value as sent.
    enum Value: Equatable {
        /// Text from a form field or query parameter, or a JSON string.
        case text(String)
        case number(Double)
        case bool(Bool)
        /// JSON `null`: treated as absent.
        case null
        /// A JSON array or object.
        case structured
    }

    private(set) var values: [String: Value] = [:]
    private var order: [String] = []

    init() {}

    /// Adds `value` for `name`; a repeated name is an error (which one would win is unclear).
    mutating func add(_ name: String, _ value: Value) throws(RequestBodyError) {
        guard values[name] == nil else { throw .invalidField(name, reason: "is given more than once") }
        values[name] = value
        order.append(name)
    }

    /// These fields with `other`'s values replacing same-named ones (body options over query ones).
    func overridden(by other: RequestFields) -> RequestFields {
        var merged = self
        for name in other.order {
            if merged.values[name] == nil { merged.order.append(name) }
            merged.values[name] = other.values[name]
        }
        return merged
    }

    /// Throws for the first name not in `allowed`.
    func requireOnly(_ allowed: Set<String>) throws(RequestBodyError) {
        for name in order where !allowed.contains(name) {
            throw .invalidField(name, reason: "is not a known option (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func contains(_ name: String) -> Bool {
        if case .null? = values[name] { return false }
        return values[name] != nil
    }

    func string(_ name: String) throws(RequestBodyError) -> String? {
        switch values[name] {
        case nil, .null?: return nil
        case .text(let text)?: return text
        default: throw .invalidField(name, reason: "must be a string")
        }
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(RequestBodyError) -> Int? {
        let parsed: Int?
        switch values[name] {
        case nil, .null?: return nil
        case .number(let number)?:
            parsed = number.rounded() == number && abs(number) <= 9_007_199_254_740_991 ? Int(number) : nil
        case .text(let text)?:
            parsed = Int(text.trimmingCharacters(in: .whitespaces))
        default:
            parsed = nil
        }
        guard let value = parsed else { throw .invalidField(name, reason: "must be an integer") }
        try FieldCheck.require(value, in: range, field: name)
        return value
    }

    func number(_ name: String, in range: ClosedRange<Double>) throws(RequestBodyError) -> Double? {
        let parsed: Double?
        switch values[name] {
        case nil, .null?: return nil
        case .number(let number)?: parsed = number
        case .text(let text)?: parsed = Double(text.trimmingCharacters(in: .whitespaces))
        default: parsed = nil
        }
        guard let value = parsed, value.isFinite else { throw .invalidField(name, reason: "must be a number") }
        try FieldCheck.require(value, in: range, field: name)
        return value
    }

    func bool(_ name: String) throws(RequestBodyError) -> Bool? {
        switch values[name] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case .text(let text)?:
            switch text.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: break
            }
        default: break
        }
        throw .invalidField(name, reason: "must be true or false")
    }

    /// Query parameters as text values.
    init(query items: [(name: String, value: String)]) throws(RequestBodyError) {
        for item in items { try add(item.name, .text(item.value)) }
    }

    /// The members of a JSON object body (UTF-8, RFC 8259); a member given twice is refused.
    init(json bytes: [UInt8]) throws(RequestBodyError) {
        let object: [String: JSONMember]
        do {
            object = try JSONDecoder().decode([String: JSONMember].self, from: Data(bytes))
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw .malformedJSON("the body must be a JSON object")
        } catch {
            throw .malformedJSON("\(error)")
        }
        // JSONDecoder keeps the first of two members with the same name and never reads the
        // second; refuse the pair like a repeated query or form field instead.
        guard let names = Self.memberNames(ofObject: bytes) else {
            throw .malformedJSON("the body must be a JSON object in UTF-8")
        }
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw .invalidField(name, reason: "is given more than once")
        }
        for (name, member) in object.sorted(by: { $0.key < $1.key }) { try add(name, member.value) }
    }

    /// The member names of the top-level object in `bytes`, in order and with repeats, for a
    /// body `JSONDecoder` has already read as an object; nil when it is not a UTF-8 object
    /// (JSONDecoder also reads UTF-16 and UTF-32, which RFC 8259 §8.1 rules out between systems).
    private static func memberNames(ofObject bytes: [UInt8]) -> [String]? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
            }
        }
        /// Moves past the string opening at `index`; returns its bytes between the quotes.
        func skipString() -> ArraySlice<UInt8>? {
            let start = index + 1
            index = start
            while index < bytes.count {
                switch bytes[index] {
                case backslash: index += 2
                case quote:
                    index += 1
                    return bytes[start..<(index - 1)]
                default: index += 1
                }
            }
            return nil
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var names: [String] = []
        while true {
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return names }
            guard bytes[index] == quote, let raw = skipString() else { return nil }
            if raw.contains(backslash) {
                guard let name = try? JSONDecoder().decode(String.self, from: Data([quote] + raw + [quote])) else { return nil }
                names.append(name)
            } else {
                guard let name = String(validating: raw, as: UTF8.self) else { return nil }
                names.append(name)
            }
            // Skip `: value` up to the `,` or `}` that ends the member at this depth.
            var depth = 0
            scanning: while true {
                guard index < bytes.count else { return nil }
                let byte = bytes[index]
                if byte == quote {
                    guard skipString() != nil else { return nil }
                    continue
                }
                index += 1
                switch byte {
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    if depth == 0 { return names }
                    depth -= 1
                case UInt8(ascii: ",") where depth == 0:
                    break scanning
                default:
                    break
                }
            }
        }
    }
}

/// A JSON member value decoded just far enough for `RequestFields`.
///
/// `JSONDecoder` checks a body's brackets and braces up front but a scalar's syntax only when
/// the scalar is decoded (`01`, `1.`, `1e999`, `"\q"`, a raw control character in a string), so
/// a member that is neither a well-formed scalar nor an array or object is malformed JSON and
/// throws (→ `malformedJSON`); it must not pass as `.structured` and come back as "must be an
/// integer". Arrays and objects are not descended into: no option accepts one, so a structured
/// value is refused whatever it holds, and decoding it element by element would make deep
/// nesting cost quadratic time.
private struct JSONMember: Decodable {
    let value: RequestFields.Value

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let bool = try? container.decode(Bool.self) {
            value = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            value = .number(number)
        } else if let text = try? container.decode(String.self) {
            value = .text(text)
        } else if (try? decoder.unkeyedContainer()) != nil || (try? decoder.container(keyedBy: AnyKey.self)) != nil {
            value = .structured
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "is not a valid JSON value")
        }
    }

    /// Any member name of a nested object (only used to recognise one).
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
