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
