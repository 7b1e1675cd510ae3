import Foundation
import Weights

/// A model whose weights are memory-mapped and verified: the value task workers get
/// from the registry. Shared by every worker; the mappings are released when the
/// registry unloads the model and the last worker using it finishes.
///
/// A `safetensors` entry is one weights file with a `config.json` beside it; a
/// `diffusers` entry is a pipeline folder (`model_index.json`, `unet/`, `vae/`, …) whose
/// component files are all mapped. `taskModel` is what the task's factory built from
/// it at load time (a pipeline, say), so requests never pay for construction.
public final class LoadedModel: Sendable {
    public let name: String
    public let task: String
    public let weights: [SafetensorsFile]
    /// The folder holding the weights (the pipeline folder for `diffusers`).
    public let directory: URL
    /// `config.json` (or `model_index.json`) as raw bytes, if present.
    public let configurationData: Data?
    /// The task's own object built from the files, when the task registered a factory.
    public let taskModel: (any Sendable)?

    init(name: String, task: String, weights: [SafetensorsFile], directory: URL, configurationData: Data?,
         taskModel: (any Sendable)? = nil) {
        self.name = name
        self.task = task
        self.weights = weights
        self.directory = directory
        self.configurationData = configurationData
        self.taskModel = taskModel
    }

    /// The same model with `taskModel` set.
    func with(taskModel: any Sendable) -> LoadedModel {
        LoadedModel(name: name, task: task, weights: weights, directory: directory,
                    configurationData: configurationData, taskModel: taskModel)
    }

    /// Total parameters over all tensors.
    public var parameterCount: Int {
        weights.reduce(0) { total, file in file.tensors.reduce(total) { $0 + $1.elementCount } }
    }

    /// Stored data types, e.g. `F32` or `F16+F32`.
    public var dataTypes: String {
        Set(weights.flatMap { $0.tensors.map(\.dataType.rawValue) }).sorted().joined(separator: "+")
    }

    /// `_class_name` (diffusers), `architectures[0]` (transformers) or `architecture` from the configuration.
    public var architecture: String? {
        guard let data = configurationData,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        if let name = object["_class_name"] as? String { return name }
        if let names = object["architectures"] as? [String], let first = names.first { return first }
        return object["architecture"] as? String
    }
}
