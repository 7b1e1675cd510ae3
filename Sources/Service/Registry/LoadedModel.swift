import Foundation
import Weights

/// A model whose weights are memory-mapped and verified: the value task workers get
/// from the registry. Shared by every worker; the mapping is released when the registry
/// unloads the model and the last worker using it finishes.
public final class LoadedModel: Sendable {
    public let name: String
    public let task: String
    public let weights: SafetensorsFile
    /// The folder holding the weights file and its `config.json`.
    public let directory: URL
    /// `config.json` as raw bytes (decoded by the task that owns the architecture), if present.
    public let configurationData: Data?

    init(name: String, task: String, weights: SafetensorsFile, directory: URL, configurationData: Data?) {
        self.name = name
        self.task = task
        self.weights = weights
        self.directory = directory
        self.configurationData = configurationData
    }

    /// Total parameters over all tensors.
    public var parameterCount: Int { weights.tensors.reduce(0) { $0 + $1.elementCount } }

    /// Stored data types, e.g. `F32` or `F16+F32`.
    public var dataTypes: String {
        Set(weights.tensors.map(\.dataType.rawValue)).sorted().joined(separator: "+")
    }

    /// `_class_name` (diffusers), `architectures[0]` (transformers) or `architecture` from `config.json`.
    public var architecture: String? {
        guard let data = configurationData,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        if let name = object["_class_name"] as? String { return name }
        if let names = object["architectures"] as? [String], let first = names.first { return first }
        return object["architecture"] as? String
    }
}
