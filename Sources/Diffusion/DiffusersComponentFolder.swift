// The file layout of one component folder of a diffusers pipeline (`unet/`, `vae/`), as written by
// diffusers' `ModelMixin.save_pretrained` (src/diffusers/models/modeling_utils.py @ v0.35.2):
// `config.json` plus `diffusion_pytorch_model[.<variant>].safetensors`.

import Foundation
import Weights

/// Finds a diffusers component's configuration and weights file and opens them.
public enum DiffusersComponentFolder {
    /// diffusers' `SAFETENSORS_WEIGHTS_NAME` stem.
    public static let weightsStem = "diffusion_pytorch_model"

    /// The weights file to load from `directory`: `diffusion_pytorch_model.<variant>.safetensors` when a variant
    /// is asked for; otherwise the plain file, or — when only that exists — the `fp16` variant.
    public static func weightsURL(in directory: URL, variant: String? = nil) throws(WeightsError) -> URL {
        let fileManager = FileManager.default
        let candidates = variant.map { ["\(weightsStem).\($0).safetensors"] }
            ?? ["\(weightsStem).safetensors", "\(weightsStem).fp16.safetensors"]
        for name in candidates {
            let url = directory.appendingPathComponent(name)
            if fileManager.fileExists(atPath: url.path) { return url }
        }
        throw .fileUnreadable(path: directory.path, reason: "no \(candidates.joined(separator: " or ")) in the folder")
    }

    /// Opens the weights of `directory` as a parameter store.
    public static func store(in directory: URL, variant: String? = nil,
                             precision: WeightsPrecisionPolicy = .keepStored) throws(WeightsError) -> ParameterStore {
        try ParameterStore(contentsOf: [try weightsURL(in: directory, variant: variant)], precision: precision)
    }

    /// Decodes `directory/config.json`; a diffusers folder of another class is refused by its `_class_name`.
    public static func configuration<T: Decodable>(_ type: T.Type, in directory: URL,
                                                   className: String) throws(WeightsError) -> T {
        let header = try ModelConfiguration.decode(ClassHeader.self, fromDirectory: directory)
        if let found = header.className, found != className {
            throw .configurationInvalid(path: directory.appendingPathComponent(ModelConfiguration.defaultFileName).path,
                                        key: "_class_name", reason: "expected \(className), found \(found)")
        }
        return try ModelConfiguration.decode(type, fromDirectory: directory)
    }

    private struct ClassHeader: Decodable {
        var className: String?
        enum CodingKeys: String, CodingKey { case className = "_class_name" }
    }
}
