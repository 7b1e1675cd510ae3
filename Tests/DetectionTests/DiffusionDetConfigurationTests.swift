import Foundation
import Testing
import Weights
@testable import Detection

/// `DiffusionDetConfiguration`: the spec's example decodes; unknown keys, missing keys and values that
/// cannot describe a model are rejected with the dotted key named.
@Suite struct DiffusionDetConfigurationTests {
    static let specExample = """
    {
      "architecture": "DiffusionDet",
      "class_names": ["circle", "square", "triangle", "star", "hexagon"],
      "backbone": {"depth": 18, "stem_out_channels": 64, "res2_out_channels": 64,
                   "num_groups": 1, "width_per_group": 64, "stride_in_1x1": false},
      "fpn": {"out_channels": 128},
      "head": {"hidden_dim": 128, "num_heads": 8, "dim_feedforward": 512, "num_stages": 6,
               "num_cls": 1, "num_reg": 3, "num_dynamic": 2, "dim_dynamic": 32,
               "pooler_resolution": 7, "sampling_ratio": 2},
      "diffusion": {"timesteps": 1000, "snr_scale": 2.0, "ddim_eta": 1.0,
                    "renewal_threshold": 0.5, "nms_iou_threshold": 0.5,
                    "ensemble_includes_final_step": true},
      "defaults": {"steps": 4, "proposals": 100, "score_threshold": 0.5},
      "input": {"pixel_mean": [123.675, 116.28, 103.53], "pixel_std": [58.395, 57.12, 57.375],
                "min_size_test": 128, "max_size_test": 1333, "size_divisibility": 32}
    }
    """

    static func decode(_ json: String) throws(WeightsError) -> DiffusionDetConfiguration {
        try DiffusionDetConfiguration.decode(Data(json.utf8), path: "config.json")
    }

    /// The key named by a `configurationInvalid` error for `json`, or nil when it decodes.
    static func rejectedKey(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            guard case .configurationInvalid(_, let key, _) = error else { return "unexpected error \(error)" }
            return key
        }
    }

    @Test func specExampleDecodes() throws {
        let configuration = try Self.decode(Self.specExample)
        #expect(configuration.classNames == ["circle", "square", "triangle", "star", "hexagon"])
        #expect(configuration.backbone.depth == 18 && !configuration.backbone.usesBottleneck)
        #expect(configuration.backbone.blocksPerStage == [2, 2, 2, 2])
        #expect(configuration.backbone.stageOutChannels == [64, 128, 256, 512])
        #expect(configuration.head.hiddenDim == 128 && configuration.head.numStages == 6)
        #expect(configuration.head.dimDynamic == 32 && configuration.head.numReg == 3)
        #expect(configuration.diffusion == DiffusionDetConfiguration.Diffusion())
        #expect(configuration.defaults == DiffusionDetConfiguration.Defaults(steps: 4, proposals: 100, scoreThreshold: 0.5))
        #expect(configuration.input.minSizeTest == 128 && configuration.input.sizeDivisibility == 32)
        #expect(configuration.input.pixelStd == [58.395, 57.12, 57.375])
    }

    @Test func unknownKeysAreRejectedByName() {
        let topLevel = Self.specExample.replacingOccurrences(of: "\"architecture\"", with: "\"extra\": 1, \"architecture\"")
        #expect(Self.rejectedKey(topLevel) == "extra")
        let nested = Self.specExample.replacingOccurrences(of: "\"num_cls\": 1", with: "\"num_cls\": 1, \"num_clss\": 2")
        #expect(Self.rejectedKey(nested) == "head.num_clss")
        let input = Self.specExample.replacingOccurrences(of: "\"size_divisibility\": 32", with: "\"size_divisibility\": 32, \"format\": \"BGR\"")
        #expect(Self.rejectedKey(input) == "input.format")
    }

    @Test func missingKeysAreRejectedByName() {
        let noSteps = Self.specExample.replacingOccurrences(of: "\"steps\": 4, ", with: "")
        #expect(Self.rejectedKey(noSteps) == "defaults.steps")
        let noEta = Self.specExample.replacingOccurrences(of: "\"ddim_eta\": 1.0,", with: "")
        #expect(Self.rejectedKey(noEta) == "diffusion.ddim_eta")
    }

    @Test(arguments: [
        ("\"depth\": 18", "\"depth\": 20", "backbone.depth"),
        ("\"num_heads\": 8", "\"num_heads\": 7", "head.num_heads"),
        ("\"num_dynamic\": 2", "\"num_dynamic\": 3", "head.num_dynamic"),
        ("\"out_channels\": 128", "\"out_channels\": 64", "fpn"),
        ("\"architecture\": \"DiffusionDet\"", "\"architecture\": \"SparseRCNN\"", "architecture"),
        ("\"size_divisibility\": 32", "\"size_divisibility\": 16", "input.size_divisibility"),
        ("\"pixel_std\": [58.395, 57.12, 57.375]", "\"pixel_std\": [58.395, 0, 57.375]", "input.pixel_std"),
        ("\"score_threshold\": 0.5", "\"score_threshold\": 1.5", "defaults.score_threshold"),
        ("\"min_size_test\": 128", "\"min_size_test\": 2000", "input.max_size_test"),
        ("\"num_groups\": 1", "\"num_groups\": 32", "backbone.num_groups"),
        ("\"class_names\": [\"circle\", \"square\", \"triangle\", \"star\", \"hexagon\"]", "\"class_names\": []", "class_names"),
    ])
    func invalidValuesAreRejectedByKey(original: String, replacement: String, key: String) {
        let json = Self.specExample.replacingOccurrences(of: original, with: replacement)
        #expect(json != Self.specExample)
        #expect(Self.rejectedKey(json) == key)
    }

    @Test func bottleneckDepthsAreAccepted() throws {
        let json = Self.specExample.replacingOccurrences(of: "\"depth\": 18", with: "\"depth\": 50")
            .replacingOccurrences(of: "\"num_groups\": 1", with: "\"num_groups\": 32")
        let configuration = try Self.decode(json)
        #expect(configuration.backbone.usesBottleneck)
        #expect(configuration.backbone.blocksPerStage == [3, 4, 6, 3])
    }
}
