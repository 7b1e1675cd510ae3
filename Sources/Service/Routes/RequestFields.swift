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

    /// The members of a JSON object body.
    init(json bytes: [UInt8]) throws(RequestBodyError) {
        let object: [String: JSONMember]
        do {
            object = try JSONDecoder().decode([String: JSONMember].self, from: Data(bytes))
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw .malformedJSON("the body must be a JSON object")
        } catch {
            throw .malformedJSON("\(error)")
        }
        for (name, member) in object.sorted(by: { $0.key < $1.key }) { try add(name, member.value) }
    }
}

/// A JSON member value decoded just far enough for `RequestFields`.
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
        } else {
            value = .structured
        }
    }
}
