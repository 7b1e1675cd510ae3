import Foundation
import ImageIO
import Tensor
import Testing
import Weights
@testable import Detection

/// DiffusionDet against the reference implementation (fixtures: `DiffusionDetFixture`), for the BasicBlock
/// and the Bottleneck model: preprocessing, FPN maps, one head call (time embedding, RoI features, every
/// stage's logits and boxes), and full sampling runs replaying the recorded draws (steps 1 and 4, with and
/// without the final step in the ensemble). Bars of issue 7: 1e-4 of scale per stage; detections equal in
/// count and labels, within 1e-3 in coordinates and scores.
@Suite(.serialized) struct DiffusionDetParityTests {
    @Test(arguments: DiffusionDetFixture.models)
    func preprocessingMatchesReference(model: String) throws {
        let fixture = try DiffusionDetFixture(model)
        let detector = try DiffusionDetector(folder: fixture.modelFolder)
        let stored = try fixture.file.tensor(named: "image")
        let pixels = try stored.integers().map { UInt8($0) }
        let image = try #require(Image(width: stored.shape[1], height: stored.shape[0], channels: 3, pixels: pixels))
        let prepared = try detector.preprocess(image)
        let resized = try fixture.integers("resized_hw")
        #expect([prepared.resizedHeight, prepared.resizedWidth] == resized)
        #expect(prepared.originalWidth == 90 && prepared.originalHeight == 70)
        let expected = try fixture.tensor("input")
        #expect([1] + prepared.tensor.shape == expected.shape)
        expectClose(prepared.tensor.scalars, expected.scalars, relative: 1e-5, "\(model) input")
    }

    @Test(arguments: DiffusionDetFixture.models)
    func featurePyramidMatchesReference(model: String) throws {
        let fixture = try DiffusionDetFixture(model)
        let (_, _, features) = try fixture.loaded()
        for level in 0..<4 {
            let ours = try features.channelsFirst(level: level)
            let expected = try fixture.tensor("p\(level + 2)")
            #expect(ours.shape == expected.shape)
            expectClose(ours.scalars, expected.scalars, "\(model) p\(level + 2)")
        }
    }

    @Test(arguments: DiffusionDetFixture.models)
    func headCallMatchesReferencePerStage(model: String) throws {
        let fixture = try DiffusionDetFixture(model)
        let (detector, _, features) = try fixture.loaded()
        let boxes = try fixture.floats("head.boxes")
        let t = try fixture.integers("head.t")[0]
        let head = detector.model.head

        let time = try head.timeMLP(timestep: t)
        expectClose(time.scalars, try fixture.floats("head.time_emb"), "\(model) head.time_emb")

        let count = boxes.count / 4
        let levels = (0..<count).map {
            MultiLevelRoIPooler.levelIndex(x1: boxes[$0 * 4], y1: boxes[$0 * 4 + 1], x2: boxes[$0 * 4 + 2],
                                           y2: boxes[$0 * 4 + 3], levelCount: 4)
        }
        #expect(levels == (try fixture.integers("head.levels")))
        // Ours are (N, R², C); the reference is (N, C, R, R).
        let roi = try head.pooler(features, boxes: boxes).permuted([0, 2, 1]).contiguous()
        expectClose(roi.scalars, try fixture.floats("head.roi_features"), "\(model) head.roi_features")

        let stages = try detector.headOutputs(features: features, boxes: boxes, timestep: t)
        let logits = try fixture.tensor("head.logits"), predicted = try fixture.tensor("head.pred_boxes")
        #expect(stages.count == logits.shape[0])
        for (index, stage) in stages.enumerated() {
            expectClose(stage.logits.scalars, try logits.selected(dimension: 0, index: index).scalars,
                        "\(model) head stage \(index) logits")
            expectClose(stage.boxes, try predicted.selected(dimension: 0, index: index).scalars,
                        "\(model) head stage \(index) boxes")
        }
    }

    @Test(arguments: DiffusionDetFixture.models, [1, 4])
    func seededNoiseReproducesTheRecordedDraws(model: String, steps: Int) throws {
        let fixture = try DiffusionDetFixture(model)
        let seeds = try #require(try fixture.metadata()["generator_seeds"] as? [String: Int])
        var noise = SeededBoxNoise(seed: UInt64(try #require(seeds["sample\(steps)"])))
        var drawn: [Float] = []
        for (index, rows) in try fixture.integers("sample\(steps).draw_rows").enumerated() {
            drawn += try noise.draw(index == 0 ? .initial : .renewal(step: 0), rows: rows).map { Float($0) }
        }
        #expect(drawn.map(\.bitPattern) == (try fixture.floats("sample\(steps).draws")).map(\.bitPattern))
    }

    @Test(arguments: DiffusionDetFixture.models, [1, 4])
    func replayedSamplingMatchesReference(model: String, steps: Int) throws {
        let fixture = try DiffusionDetFixture(model)
        let (detector, image, features) = try fixture.loaded()
        let prefix = "sample\(steps)"
        for includeFinal in [true, false] {
            let variant = "\(prefix).\(includeFinal ? "with_final" : "without_final")"
            var parameters = detector.defaultParameters()
            parameters.steps = steps
            parameters.includeFinalStep = includeFinal
            parameters.scoreThreshold = 0.5

            // Ensemble after NMS, in resized-image pixels (before the threshold and rescaling).
            var noise = RecordedBoxNoise(draws: try fixture.recordedDraws(steps: steps))
            let sampler = DiffusionDetSampler(schedule: detector.schedule, configuration: detector.configuration.diffusion,
                                              classCount: detector.configuration.classCount)
            let outcome = try sampler.sample(head: detector.model.head, pyramid: features, imageWidth: image.resizedWidth,
                                             imageHeight: image.resizedHeight, proposals: parameters.proposals,
                                             steps: steps, includeFinalStep: includeFinal, noise: &noise, checkpoint: {})
            #expect(noise.isExhausted, "\(variant): draws left over")
            #expect(outcome.keptCounts == (try fixture.integers("\(prefix).kept_per_step")), "\(variant) kept counts")
            let candidates = outcome.candidates
            let kept = try Tensor.batchedNonMaximumSuppression(
                boxes: Tensor(shape: [candidates.scores.count, 4], values: candidates.boxes),
                scores: Tensor(shape: [candidates.scores.count], values: candidates.scores),
                classes: candidates.labels, iouThreshold: 0.5)
            #expect(kept.map { candidates.labels[$0] } == (try fixture.integers("\(variant).labels")), "\(variant) NMS labels")
            expectClose(kept.map { candidates.scores[$0] }, try fixture.floats("\(variant).scores"), relative: 1e-3,
                        "\(variant) NMS scores")
            expectClose(kept.flatMap { candidates.boxes[($0 * 4)..<($0 * 4 + 4)] }, try fixture.floats("\(variant).boxes"),
                        relative: 1e-3 / 200, "\(variant) NMS boxes (px)")

            // The public path: threshold, rescale to 90×70, clip, sort.
            var replay = RecordedBoxNoise(draws: try fixture.recordedDraws(steps: steps))
            let result = try detector.detect(features: features, image: image, parameters: parameters, noise: &replay,
                                             checkpoint: {})
            let labels = try fixture.integers("\(variant).final_labels")
            #expect(result.detections.count == labels.count, "\(variant): detection count")
            #expect(result.detections.map(\.classIndex) == labels, "\(variant): labels")
            expectClose(result.detections.map(\.score), try fixture.floats("\(variant).final_scores"), relative: 1e-3,
                        "\(variant) final scores")
            expectClose(result.detections.flatMap { [$0.x1, $0.y1, $0.x2, $0.y2] },
                        try fixture.floats("\(variant).final_boxes"), relative: 1e-3 / 90, "\(variant) final boxes (px)")
            #expect(result.keptCounts == outcome.keptCounts)
            print("timing \(model) \(variant): backbone \(features.backboneSeconds) s, detect \(result.timings.headSeconds) s")
        }
    }

    @Test(arguments: DiffusionDetFixture.models)
    func sampledStatesMatchReferencePerStep(model: String) throws {
        // The head inputs and final-stage outputs of every step of the 4-step run.
        let fixture = try DiffusionDetFixture(model)
        let (detector, image, features) = try fixture.loaded()
        let steps = 4
        let whwh = [Float(image.resizedWidth), Float(image.resizedHeight), Float(image.resizedWidth), Float(image.resizedHeight)]
        for (index, t) in try fixture.integers("sample\(steps).timesteps").enumerated() {
            let state = try fixture.doubles("sample\(steps).step\(index).x")
            let boxes = index == 0
                ? DiffusionDetSampler.absoluteBoxes(state.map { Float($0) }, scale: 2, whwh: whwh)
                : DiffusionDetSampler.absoluteBoxes(state, scale: 2.0, whwh: whwh.map(Double.init)).map { Float($0) }
            expectClose(boxes, try fixture.doubles("sample\(steps).step\(index).boxes_in").map { Float($0) },
                        relative: 1e-6, "\(model) step \(index) head input boxes")
            let levels = index == 0 ? nil
                : DiffusionDetSampler.levels(try fixture.doubles("sample\(steps).step\(index).boxes_in"), levelCount: 4)
            let stages = try detector.model.head(features, boxes: boxes, levels: levels, timestep: t)
            let last = try #require(stages.last)
            expectClose(last.logits.scalars, try fixture.floats("sample\(steps).step\(index).logits"),
                        "\(model) step \(index) logits")
            expectClose(last.boxes, try fixture.floats("sample\(steps).step\(index).boxes"),
                        "\(model) step \(index) boxes")
        }
    }
}
