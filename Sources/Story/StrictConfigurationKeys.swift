// Shared by the story configuration decoders: every key of a JSON object must be known, so a misspelt or
// unsupported option fails loading with its name instead of being silently ignored.

/// A coding key for any string, used to list every key an object holds.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws `DecodingError.dataCorrupted` at the first key (sorted) that is not in `known`.
    func rejectUnknownKeys(_ known: Set<String>, of typeName: String) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !known.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                   debugDescription: "unknown \(typeName) key '\(key.stringValue)'")
        }
    }
}

extension KeyedDecodingContainer {
    /// A required integer that must be positive.
    func decodePositive(_ key: Key) throws -> Int {
        let value = try decode(Int.self, forKey: key)
        guard value > 0 else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "must be positive, got \(value)")
        }
        return value
    }

    /// Throws when the optional `_class_name` at `key` is present and not `expected`.
    func requireClassName(_ expected: String, at key: Key) throws {
        if let name = try decodeIfPresent(String.self, forKey: key), name != expected {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "expected \(expected), found \(name)")
        }
    }
}
