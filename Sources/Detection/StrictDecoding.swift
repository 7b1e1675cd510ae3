// Strict JSON decoding for model folders: every key of an object must be known.

/// A coding key for any string, used to list the keys an object actually holds.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// A keyed container that first rejects, by name, any key not in `Keys`.
    ///
    /// A misspelt field in a model's `config.json` would otherwise fall back to a default silently and
    /// compute something else than the checkpoint was trained for.
    func strictContainer<Keys: CodingKey & CaseIterable>(keyedBy type: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        let raw = try container(keyedBy: AnyCodingKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        for key in raw.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !known.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: raw,
                debugDescription: "unknown key '\(key.stringValue)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        return try container(keyedBy: Keys.self)
    }
}

extension KeyedDecodingContainer {
    /// Decodes `key` and throws `dataCorrupted` naming it unless `isValid` holds.
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key, where isValid: (T) -> Bool,
                              _ requirement: @autoclosure () -> String) throws -> T {
        let value = try decode(type, forKey: key)
        guard isValid(value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "\(requirement()), got \(value)")
        }
        return value
    }
}
