import Foundation

/// Reads a model's `config.json` (the file diffusers and transformers save next to the weights)
/// into a `Decodable` configuration struct.
///
/// Failures name the file and the dotted key at fault (`block_out_channels.2`), so a user who
/// brings a checkpoint with an unexpected configuration learns which field to look at.
public enum ModelConfiguration {
    /// The conventional file name.
    public static let defaultFileName = "config.json"

    /// Decodes `T` from `fileName` inside `directory`.
    public static func decode<T: Decodable>(_ type: T.Type, fromDirectory directory: URL,
                                            fileName: String = defaultFileName) throws(WeightsError) -> T {
        try decode(type, fromFile: directory.appendingPathComponent(fileName))
    }

    /// Decodes `T` from the JSON file at `url`.
    public static func decode<T: Decodable>(_ type: T.Type, fromFile url: URL) throws(WeightsError) -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .configurationUnreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(type, from: data, path: url.path)
    }

    /// Decodes `T` from JSON bytes; `path` only labels errors.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws(WeightsError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw describe(error, path: path)
        } catch {
            throw .configurationInvalid(path: path, key: "", reason: error.localizedDescription)
        }
    }

    private static func describe(_ error: DecodingError, path: String) -> WeightsError {
        switch error {
        case .keyNotFound(let key, let context):
            return .configurationInvalid(path: path, key: dotted(context.codingPath + [key]),
                                         reason: "required key is missing")
        case .typeMismatch(let type, let context):
            return .configurationInvalid(path: path, key: dotted(context.codingPath),
                                         reason: "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return .configurationInvalid(path: path, key: dotted(context.codingPath),
                                         reason: "expected \(type) but found null")
        case .dataCorrupted(let context):
            return .configurationInvalid(path: path, key: dotted(context.codingPath),
                                         reason: context.debugDescription)
        @unknown default:
            return .configurationInvalid(path: path, key: "", reason: String(describing: error))
        }
    }

    private static func dotted(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { key in key.intValue.map(String.init) ?? key.stringValue }.joined(separator: ".")
    }
}
