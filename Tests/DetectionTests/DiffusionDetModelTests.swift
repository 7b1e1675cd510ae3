import Foundation
import Testing
import Weights
@testable import Detection

/// Loading the typed tree: official key names, and one report listing every problem.
@Suite struct DiffusionDetModelTests {
    @Test func loadReportListsMissingUnexpectedAndMisshapedKeysTogether() throws {
        let configuration = try SyntheticDiffusionDet.configuration()
        var writer = try SyntheticDiffusionDet.writer(configuration)
        // Reproduce the full writer minus one key, plus a wrong shape and an unknown key.
        var broken = SafetensorsWriter()
        let file = try SyntheticDiffusionDet.file(writer)
        for tensor in file.tensors where tensor.name != "head.head_series.1.class_logits.bias" {
            if tensor.name == "backbone.fpn_lateral3.weight" {
                try broken.add(tensor.name, shape: [32, 31, 1, 1], floats: [Float](repeating: 0, count: 32 * 31))
            } else {
                try broken.add(tensor.name, shape: tensor.shape, floats: try tensor.floats())
            }
        }
        try broken.add("head.head_series.0.self_attn.bias_k", shape: [1, 1, 32], floats: [Float](repeating: 0, count: 32))
        writer = broken
        let store = try ParameterStore(files: [try SafetensorsFile.temporary(writer)])
        #expect(throws: WeightsError.loadFailed(ParameterLoadReport(
            missingKeys: ["head.head_series.1.class_logits.bias"],
            unexpectedKeys: ["head.head_series.0.self_attn.bias_k"],
            shapeMismatches: [.init(key: "backbone.fpn_lateral3.weight", expected: [32, 32, 1, 1], found: [32, 31, 1, 1])]))) {
            _ = try DiffusionDetModel(store: store, configuration: configuration)
        }
    }

    @Test func officialKeyNamesAreRequested() throws {
        let shapes = try SyntheticDiffusionDet.expectedShapes(try SyntheticDiffusionDet.configuration())
        let expected: [String: [Int]] = [
            "backbone.bottom_up.stem.conv1.weight": [16, 3, 7, 7],
            "backbone.bottom_up.stem.conv1.norm.running_var": [16],
            "backbone.bottom_up.res3.0.shortcut.weight": [32, 16, 1, 1],
            "backbone.bottom_up.res5.1.conv2.norm.bias": [128],
            "backbone.fpn_lateral5.weight": [32, 128, 1, 1],
            "backbone.fpn_output2.bias": [32],
            "head.time_mlp.1.weight": [128, 32],
            "head.time_mlp.3.bias": [128],
            "head.head_series.0.self_attn.in_proj_weight": [96, 32],
            "head.head_series.0.self_attn.out_proj.weight": [32, 32],
            "head.head_series.1.inst_interact.dynamic_layer.weight": [2 * 32 * 8, 32],
            "head.head_series.1.inst_interact.norm1.weight": [8],
            "head.head_series.1.inst_interact.out_layer.weight": [32, 32 * 49],
            "head.head_series.0.block_time_mlp.1.weight": [64, 128],
            "head.head_series.0.cls_module.0.weight": [32, 32],
            "head.head_series.0.cls_module.1.bias": [32],
            "head.head_series.0.reg_module.3.weight": [32, 32],
            "head.head_series.0.reg_module.4.weight": [32],
            "head.head_series.1.class_logits.weight": [3, 32],
            "head.head_series.1.bboxes_delta.bias": [4],
        ]
        for (key, shape) in expected { #expect(shapes[key] == shape, "\(key)") }
        #expect(shapes["backbone.bottom_up.res2.0.shortcut.weight"] == nil)  // 16 → 16 channels: identity
        #expect(shapes["head.head_series.0.cls_module.0.bias"] == nil)
        #expect(shapes.keys.allSatisfy { $0.hasPrefix("backbone.") || $0.hasPrefix("head.") })
    }

    @Test func halfPrecisionWeightsLoad() throws {
        let configuration = try SyntheticDiffusionDet.configuration()
        let single = try SyntheticDiffusionDet.writer(configuration, storedAs: .float32)
        let half = try SyntheticDiffusionDet.writer(configuration, storedAs: .float16)
        let detector32 = try DiffusionDetector(configuration: configuration, files: [try SafetensorsFile.temporary(single)])
        let detector16 = try DiffusionDetector(configuration: configuration, files: [try SafetensorsFile.temporary(half)])
        let image = try PreprocessedImage(SyntheticImages.shapes(width: 80, height: 64), configuration: configuration.input)
        let p32 = try detector32.features(for: [image])[0].channelsFirst(level: 0)
        let p16 = try detector16.features(for: [image])[0].channelsFirst(level: 0)
        #expect(p32.shape == p16.shape)
        let scale = p32.maxAbs()
        #expect(p32.maxAbsDifference(p16) < 2e-2 * scale)  // F16 weights: ~1e-3 relative per weight
        #expect(p32.maxAbsDifference(p16) > 0)
    }

    @Test func diffusionBuffersOfOfficialCheckpointsAreAllowed() throws {
        let configuration = try SyntheticDiffusionDet.configuration()
        var writer = try SyntheticDiffusionDet.writer(configuration)
        try writer.add("alphas_cumprod", dataType: .float64, shape: [1000], bytes: [UInt8](repeating: 0, count: 8000))
        let store = try ParameterStore(files: [try SafetensorsFile.temporary(writer)])
        _ = try DiffusionDetModel(store: store, configuration: configuration)
    }
}

extension SafetensorsFile {
    /// `writer`'s bytes as an opened file (the temporary file is removed; the mapping stays valid).
    static func temporary(_ writer: SafetensorsWriter) throws -> SafetensorsFile {
        try SyntheticDiffusionDet.file(writer)
    }
}
