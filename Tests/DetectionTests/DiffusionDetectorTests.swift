import Foundation
import ImageIO
import Tensor
import Testing
import Weights
@testable import Detection

/// `DiffusionDetector` on a synthetic random model: batching, determinism, cancellation, validation.
/// (Numbers against the reference implementation: `DiffusionDetParityTests`.)
@Suite(.serialized) struct DiffusionDetectorTests {
    static let detector: Result<DiffusionDetector, any Error> = Result {
        try DiffusionDetector(folder: try SyntheticDiffusionDet.folder())
    }

    @Test func batchedBackboneMatchesSingleImageCalls() throws {
        let detector = try Self.detector.get()
        let images = [SyntheticImages.shapes(width: 64, height: 64), SyntheticImages.shapes(width: 150, height: 70),
                      SyntheticImages.shapes(width: 64, height: 100)]
        let prepared = try images.map { try detector.preprocess($0) }
        #expect(prepared.map(\.paddedWidth) == [64, 160, 64])
        #expect(prepared.map(\.paddedHeight) == [64, 64, 128])  // 150×70 → 137×64
        let batched = try detector.features(for: prepared)
        for (index, image) in prepared.enumerated() {
            let single = try detector.features(for: [image])[0]
            for level in 0..<4 {
                let a = try batched[index].channelsFirst(level: level), b = try single.channelsFirst(level: level)
                #expect(a.shape == b.shape)
                let error = a.maxAbsDifference(b)
                print("batched vs single image \(index) p\(level + 2): max abs difference \(error), scale \(b.maxAbs())")
                #expect(error <= 1e-5 * max(b.maxAbs(), 1))
            }
        }
    }

    /// The same seed gives the same detections; another seed gives different ones.
    ///
    /// "The same" is up to float rounding: other suites run beside this one in the test process and change
    /// OpenBLAS's process-wide thread count (`ComputeThreads`), and sgemm rounds differently on one thread and
    /// on several, so two runs here can differ in the last bits (a CI run saw 0.71035117 against 0.7103511).
    /// The server runs one computation at a time, where repeats are bit-identical; another seed moves boxes by
    /// pixels, far outside this bound.
    @Test func seededDetectionIsReproducibleAndSeedDependent() throws {
        let detector = try Self.detector.get()
        let image = try detector.preprocess(SyntheticImages.shapes(width: 96, height: 80))
        let features = try detector.features(for: [image])[0]
        var parameters = detector.defaultParameters(seed: 3)
        parameters.scoreThreshold = 0
        let first = try detector.detect(features: features, image: image, parameters: parameters, checkpoint: {})
        let second = try detector.detect(features: features, image: image, parameters: parameters, checkpoint: {})
        #expect(Self.largestDifference(first.detections, second.detections) <= 1e-3)
        #expect(!first.detections.isEmpty)
        #expect(first.keptCounts.count == parameters.steps)
        parameters.seed = 4
        let other = try detector.detect(features: features, image: image, parameters: parameters, checkpoint: {})
        #expect(Self.largestDifference(first.detections, other.detections) > 0.1)
        for detection in first.detections {
            #expect(detection.x1 >= 0 && detection.x2 <= 96 && detection.x1 < detection.x2)
            #expect(detection.y1 >= 0 && detection.y2 <= 80 && detection.y1 < detection.y2)
            #expect(detection.label == detector.configuration.classNames[detection.classIndex])
        }
        #expect(zip(first.detections, first.detections.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(first.timings.headSeconds > 0 && first.timings.backboneSeconds > 0)
    }

    @Test func checkpointErrorsStopDetectionUnchanged() throws {
        struct Cancelled: Error, Equatable {}
        let detector = try Self.detector.get()
        let image = try detector.preprocess(SyntheticImages.shapes(width: 64, height: 64))
        let features = try detector.features(for: [image])[0]
        var calls = 0
        #expect(throws: Cancelled()) {
            _ = try detector.detect(features: features, image: image, parameters: detector.defaultParameters(),
                                    checkpoint: {
                                        calls += 1
                                        if calls == 3 { throw Cancelled() }
                                    })
        }
        #expect(calls == 3)
    }

    @Test func invalidRequestsAreRejected() throws {
        let detector = try Self.detector.get()
        let image = try detector.preprocess(SyntheticImages.shapes(width: 64, height: 64))
        let features = try detector.features(for: [image])[0]
        var parameters = detector.defaultParameters()
        parameters.steps = 0
        #expect(throws: DetectionError.self) {
            _ = try detector.detect(features: features, image: image, parameters: parameters, checkpoint: {})
        }
        let larger = try detector.preprocess(SyntheticImages.shapes(width: 200, height: 64))
        #expect(throws: DetectionError.self) {
            _ = try detector.detect(features: features, image: larger, parameters: detector.defaultParameters(),
                                    checkpoint: {})
        }
    }

    /// The largest score or coordinate difference between two detection lists, `.infinity` when their
    /// lengths or labels differ.
    static func largestDifference(_ a: [Detection], _ b: [Detection]) -> Float {
        guard a.count == b.count else { return .infinity }
        var largest: Float = 0
        for (left, right) in zip(a, b) {
            guard left.classIndex == right.classIndex, left.label == right.label else { return .infinity }
            let differences = [left.score - right.score, left.x1 - right.x1, left.y1 - right.y1,
                               left.x2 - right.x2, left.y2 - right.y2]
            largest = max(largest, differences.map(abs).max() ?? 0)
        }
        return largest
    }

    @Test func rgbaInputLosesItsAlpha() throws {
        let detector = try Self.detector.get()
        let rgb = try detector.preprocess(SyntheticImages.shapes(width: 70, height: 50))
        let rgba = try detector.preprocess(SyntheticImages.shapes(width: 70, height: 50, alpha: 7))
        #expect(rgb.tensor.scalars == rgba.tensor.scalars)
    }
}
