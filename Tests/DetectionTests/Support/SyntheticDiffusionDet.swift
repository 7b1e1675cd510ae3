import Foundation
import Weights
@testable import Detection

/// Small random-weight DiffusionDet folders written with `SafetensorsWriter`, for tests that need a whole
/// model but no reference numbers (loading, batching, determinism, cancellation).
///
/// The key list and shapes are not duplicated here: they are read from the model itself, by loading once
/// from an empty store (every key reported missing) and once from a store holding each key as a scalar
/// (every key reported with its expected shape).
enum SyntheticDiffusionDet {
    static let configurationJSON = """
    {
      "architecture": "DiffusionDet",
      "class_names": ["circle", "square", "triangle"],
      "backbone": {"depth": 18, "stem_out_channels": 16, "res2_out_channels": 16,
                   "num_groups": 1, "width_per_group": 64, "stride_in_1x1": false},
      "fpn": {"out_channels": 32},
      "head": {"hidden_dim": 32, "num_heads": 4, "dim_feedforward": 64, "num_stages": 2,
               "num_cls": 1, "num_reg": 2, "num_dynamic": 2, "dim_dynamic": 8,
               "pooler_resolution": 7, "sampling_ratio": 2},
      "diffusion": {"timesteps": 1000, "snr_scale": 2.0, "ddim_eta": 1.0,
                    "renewal_threshold": 0.5, "nms_iou_threshold": 0.5,
                    "ensemble_includes_final_step": true},
      "defaults": {"steps": 2, "proposals": 30, "score_threshold": 0.3},
      "input": {"pixel_mean": [123.675, 116.28, 103.53], "pixel_std": [58.395, 57.12, 57.375],
                "min_size_test": 64, "max_size_test": 200, "size_divisibility": 32}
    }
    """

    static func configuration() throws -> DiffusionDetConfiguration {
        try DiffusionDetConfiguration.decode(Data(configurationJSON.utf8))
    }

    /// Every parameter key of the model described by `configuration`, with its shape.
    static func expectedShapes(_ configuration: DiffusionDetConfiguration) throws -> [String: [Int]] {
        let empty = try ParameterStore(files: [])
        _ = try DiffusionDetModel(unchecked: empty, configuration: configuration)
        let keys = empty.report().missingKeys
        var writer = SafetensorsWriter()
        for key in keys { try writer.add(key, shape: [1], floats: [0]) }
        let store = try ParameterStore(files: [try file(writer)])
        _ = try DiffusionDetModel(unchecked: store, configuration: configuration)
        return Dictionary(uniqueKeysWithValues: store.report().shapeMismatches.map { ($0.key, $0.expected) })
    }

    /// A random model (deterministic in `seed`); class biases at −1 and box deltas scaled down so that some
    /// proposals survive renewal, as the reference fixtures do.
    static func writer(_ configuration: DiffusionDetConfiguration, seed: UInt64 = 1,
                       storedAs dataType: SafetensorsDataType = .float32) throws -> SafetensorsWriter {
        var random = SplitMix(seed: seed)
        var writer = SafetensorsWriter()
        for (key, shape) in try expectedShapes(configuration).sorted(by: { $0.key < $1.key }) {
            let count = shape.reduce(1, *)
            let fanIn = shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1
            // One rule per tensor (not per value: the R50 benchmark writes 10⁸ values).
            let isNorm = key.contains(".norm") || key.contains("cls_module.1") || key.contains("reg_module.1")
                || key.contains("reg_module.4")
            let bound = (3 / Float(fanIn)).squareRoot()
            let (offset, spread): (Float, Float)
            if key.hasSuffix("running_var") { (offset, spread) = (1.1, 0.1) }
            else if key.hasSuffix("running_mean") { (offset, spread) = (0, 0.1) }
            else if isNorm { (offset, spread) = key.hasSuffix("weight") ? (1, 0.1) : (0, 0.1) }
            else if key.hasSuffix("class_logits.bias") { (offset, spread) = (-1, 0.5) }
            else if key.contains("bboxes_delta") { (offset, spread) = (0, 0.1 * bound) }
            else { (offset, spread) = (0, shape.count > 1 ? bound : 0.05) }
            let values: [Float] = (0..<count).map { _ in offset + spread * Float(random.nextUnit() * 2 - 1) }
            try writer.add(key, shape: shape, floats: values, storedAs: dataType)
        }
        return writer
    }

    /// Writes `config.json` + `model.safetensors` into a fresh temporary folder.
    static func folder(seed: UInt64 = 1, storedAs dataType: SafetensorsDataType = .float32) throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("diffusiondet-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(configurationJSON.utf8).write(to: folder.appendingPathComponent("config.json"))
        try writer(try configuration(), seed: seed, storedAs: dataType)
            .write(to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    static func file(_ writer: SafetensorsWriter) throws -> SafetensorsFile {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("synthetic-\(UUID().uuidString).safetensors")
        try writer.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try SafetensorsFile(contentsOf: url)
    }
}

/// SplitMix64, for reproducible synthetic weights.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
