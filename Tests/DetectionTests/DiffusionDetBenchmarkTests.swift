import Foundation
import Tensor
import Testing
import Weights
@testable import Detection

/// Wall-clock cost at the official R50 size (issue 7 benchmark setting): a random-weight ResNet-50 FPN
/// DiffusionDet (256 hidden, 6 stages, 80 classes), an 800×1333 input (a 1000×600 picture resized to
/// shortest side 800), 500 proposals. Writes a ≈ 440 MB temporary checkpoint, so it only runs with
/// `DIFFUSIONDET_BENCHMARK=1` (optionally `DIFFUSIONDET_BENCHMARK_STEPS`, default 1).
@Suite struct DiffusionDetBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["DIFFUSIONDET_BENCHMARK"] == "1"

    static let r50JSON = """
    {
      "architecture": "DiffusionDet",
      "class_names": [\((0..<80).map { "\"class\($0)\"" }.joined(separator: ", "))],
      "backbone": {"depth": 50, "stem_out_channels": 64, "res2_out_channels": 256,
                   "num_groups": 1, "width_per_group": 64, "stride_in_1x1": false},
      "fpn": {"out_channels": 256},
      "head": {"hidden_dim": 256, "num_heads": 8, "dim_feedforward": 2048, "num_stages": 6,
               "num_cls": 1, "num_reg": 3, "num_dynamic": 2, "dim_dynamic": 64,
               "pooler_resolution": 7, "sampling_ratio": 2},
      "diffusion": {"timesteps": 1000, "snr_scale": 2.0, "ddim_eta": 1.0,
                    "renewal_threshold": 0.5, "nms_iou_threshold": 0.5,
                    "ensemble_includes_final_step": true},
      "defaults": {"steps": 1, "proposals": 500, "score_threshold": 0.0},
      "input": {"pixel_mean": [123.675, 116.28, 103.53], "pixel_std": [58.395, 57.12, 57.375],
                "min_size_test": 800, "max_size_test": 1333, "size_divisibility": 32}
    }
    """

    @Test(.enabled(if: enabled)) func r50With500Proposals() throws {
        let configuration = try DiffusionDetConfiguration.decode(Data(Self.r50JSON.utf8))
        let writer = try SyntheticDiffusionDet.writer(configuration, seed: 5)
        let detector = try DiffusionDetector(configuration: configuration, files: [try SafetensorsFile.temporary(writer)])
        let image = try detector.preprocess(SyntheticImages.shapes(width: 1000, height: 600))
        #expect(image.tensor.shape == [3, 800, 1344])
        let steps = Int(ProcessInfo.processInfo.environment["DIFFUSIONDET_BENCHMARK_STEPS"] ?? "") ?? 1
        print("benchmark threads \(ComputeThreads.count), input \(image.paddedWidth)×\(image.paddedHeight)")
        let features = try detector.features(for: [image])[0]
        print("benchmark R50 backbone+FPN: \(features.backboneSeconds) s")
        var parameters = detector.defaultParameters(seed: 1)
        parameters.steps = steps
        let result = try detector.detect(features: features, image: image, parameters: parameters, checkpoint: {})
        print("benchmark R50 head, \(parameters.proposals) proposals, \(steps) step(s): \(result.timings.headSeconds) s, "
              + "\(result.detections.count) detections, kept \(result.keptCounts)")
        #expect(result.detections.count <= parameters.proposals * steps)
    }
}
