import Foundation
import Weights

/// Real safetensors models written with the `Weights` module's writer into a models root.
enum ModelFixtures {
    /// A small model folder `<root>/<folder>/model.safetensors` (+ `config.json` naming
    /// `className`): an F32 weight [4, 8], an F16 bias [8]; 40 parameters.
    /// Returns the file's path relative to `root` and its SHA-256.
    @discardableResult
    static func writeModel(in root: URL, folder: String, className: String? = "TinyUNet") throws -> (path: String, sha256: String, bytes: Int) {
        let directory = root.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add("conv.weight", shape: [4, 8], floats: (0..<32).map { Float($0) / 32 })
        try writer.add("conv.bias", shape: [8], floats: (0..<8).map { Float($0) }, storedAs: .float16)
        let file = directory.appendingPathComponent("model.safetensors")
        try writer.write(to: file)
        if let className {
            try Data("{\"_class_name\": \"\(className)\", \"sample_size\": 8}".utf8)
                .write(to: directory.appendingPathComponent("config.json"))
        }
        let bytes = writer.serializedBytes()
        return ("\(folder)/model.safetensors", try SHA256Digest.of(bytes).hexadecimal, bytes.count)
    }

    /// Parameters in the model `writeModel` writes.
    static let parameterCount = 40
}
