import Tensor
import Testing
@testable import Detection

/// Class-wise NMS, score threshold, rescaling, clipping, empty boxes, order.
@Suite struct DetectionPostprocessorTests {
    @Test func nmsThresholdRescaleClipAndSort() throws {
        // Resized 100×50 from an original 200×100: coordinates double.
        let image = try PreprocessedImage(tensor: Tensor.zeros([3, 64, 128]), originalWidth: 200, originalHeight: 100,
                                          resizedWidth: 100, resizedHeight: 50)
        var candidates = DiffusionDetSampler.Candidates()
        func add(_ box: [Float], _ score: Float, _ label: Int) {
            candidates.boxes += box
            candidates.scores.append(score)
            candidates.labels.append(label)
        }
        add([10, 10, 30, 30], 0.9, 0)     // kept
        add([11, 11, 31, 31], 0.8, 0)     // IoU 0.82 with the first, same class: suppressed
        add([11, 11, 31, 31], 0.7, 1)     // other class: kept
        add([90, 40, 120, 60], 0.95, 1)   // kept, clipped to the image (x2 240 → 200, y2 120 → 100)
        add([40, 10, 60, 30], 0.4, 0)     // below the threshold
        add([-20, 5, -5, 20], 0.99, 2)    // entirely left of the image: empty after clipping
        add([50, 10, 50, 30], 0.6, 2)     // zero width: empty
        let postprocessor = DetectionPostprocessor(classNames: ["a", "b", "c"], nmsIoUThreshold: 0.5)
        let detections = try postprocessor.detections(from: candidates, scoreThreshold: 0.5, image: image)
        #expect(detections == [
            Detection(classIndex: 1, label: "b", score: 0.95, x1: 180, y1: 80, x2: 200, y2: 100),
            Detection(classIndex: 0, label: "a", score: 0.9, x1: 20, y1: 20, x2: 60, y2: 60),
            Detection(classIndex: 1, label: "b", score: 0.7, x1: 22, y1: 22, x2: 62, y2: 62),
        ])
    }

    @Test func thresholdIsStrict() throws {
        let image = try PreprocessedImage(tensor: Tensor.zeros([3, 32, 32]), originalWidth: 32, originalHeight: 32,
                                          resizedWidth: 32, resizedHeight: 32)
        let candidates = DiffusionDetSampler.Candidates(boxes: [1, 1, 5, 5], scores: [0.5], labels: [0])
        let postprocessor = DetectionPostprocessor(classNames: ["a"], nmsIoUThreshold: 0.5)
        #expect(try postprocessor.detections(from: candidates, scoreThreshold: 0.5, image: image).isEmpty)
        #expect(try postprocessor.detections(from: candidates, scoreThreshold: 0.49, image: image).count == 1)
    }
}
