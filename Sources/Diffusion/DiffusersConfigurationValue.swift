// Shapes of diffusers `config.json` values that are "an int or a per-block list" (`attention_head_dim`,
// `layers_per_block`, …), decoded once and normalised into one value per block by the configurations of
// `UNet2DConditionModel` and `AutoencoderKL`.

/// A `config.json` value that is either one scalar for every block or a list with one entry per block.
enum ScalarOrList<Value: Decodable & Sendable & Equatable>: Decodable, Sendable, Equatable {
    case scalar(Value)
    case list([Value])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Value.self) {
            self = .scalar(value)
        } else {
            self = .list(try container.decode([Value].self))
        }
    }

    /// One value per block; `nil` when a list has another length than `count`.
    func perBlock(_ count: Int) -> [Value]? {
        switch self {
        case .scalar(let value): return [Value](repeating: value, count: count)
        case .list(let values): return values.count == count ? values : nil
        }
    }
}

/// A coding key built from any string (to read keys a configuration does not model, by name).
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A `config.json` option a model does not implement, with the value it was given.
public struct UnsupportedOption: Sendable, Equatable, CustomStringConvertible {
    /// The diffusers key, e.g. `class_embed_type`.
    public var key: String
    /// The value as found (JSON-ish text).
    public var value: String
    /// What is supported instead.
    public var supported: String

    public init(key: String, value: String, supported: String) {
        self.key = key
        self.value = value
        self.supported = supported
    }

    public var description: String { "\(key) = \(value) (supported: \(supported))" }
}

/// Reads the options a configuration refuses and turns them into one decoding error that names all of them.
struct UnsupportedOptionCollector {
    let container: KeyedDecodingContainer<AnyCodingKey>
    var found: [UnsupportedOption] = []

    init(_ decoder: any Decoder) throws {
        container = try decoder.container(keyedBy: AnyCodingKey.self)
    }

    /// Refuses `key` unless it is absent, null, or equal to `allowed`.
    mutating func allow<T: Decodable & Equatable>(_ key: String, _ type: T.Type, only allowed: T?, supported: String) {
        let codingKey = AnyCodingKey(key)
        guard container.contains(codingKey), (try? container.decodeNil(forKey: codingKey)) == false else { return }
        if let value = try? container.decode(T.self, forKey: codingKey) {
            if let allowed, value == allowed { return }
            found.append(UnsupportedOption(key: key, value: "\(value)", supported: supported))
        } else {
            found.append(UnsupportedOption(key: key, value: "<\(T.self) expected>", supported: supported))
        }
    }

    /// Refuses `key` unless it is absent or null.
    mutating func requireNull(_ key: String) {
        let codingKey = AnyCodingKey(key)
        guard container.contains(codingKey), (try? container.decodeNil(forKey: codingKey)) == false else { return }
        let value = (try? container.decode(String.self, forKey: codingKey)).map { "\"\($0)\"" }
            ?? (try? container.decode(Double.self, forKey: codingKey)).map { "\($0)" } ?? "non-null"
        found.append(UnsupportedOption(key: key, value: value, supported: "null"))
    }

    /// Records an option the caller found unsupported by other means.
    mutating func refuse(_ key: String, value: String, supported: String) {
        found.append(UnsupportedOption(key: key, value: value, supported: supported))
    }

    /// Throws a `DecodingError.dataCorrupted` at the first refused key whose description names every refused
    /// option (`ModelConfiguration.decode` turns it into `WeightsError.configurationInvalid` with that key).
    func throwIfAny(model: String) throws {
        guard let first = found.first else { return }
        let list = found.map(\.description).joined(separator: "; ")
        throw DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: [AnyCodingKey(first.key)],
            debugDescription: "\(model) does not support \(found.map(\.key).joined(separator: ", ")): \(list)"))
    }
}

/// A configuration value out of range for the model, reported at its key.
func invalidConfiguration(_ key: String, _ reason: String) -> DecodingError {
    .dataCorrupted(DecodingError.Context(codingPath: [AnyCodingKey(key)], debugDescription: reason))
}
