import Foundation
import ImageIO
import Testing
@testable import Detection

/// The bundled ShapesWorld detector `Models/shapesworld-detect/` (trained by Tools/train/train_diffusiondet.py;
/// its AP on 500 held-out scenes is in Models/README.md and EVALS.md).
@Suite struct ShapesWorldDetectModelTests {
    /// The model is committed, so its absence is a failure.
    static let required = true

    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Models/shapesworld-detect", isDirectory: true)

    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path)
    }

    @Test(.enabled(if: required || isPresent))
    func bundledModelLoadsAndDetects() throws {
        let detector = try DiffusionDetector(folder: Self.folder)
        // ShapesWorld class index i ↔ class_id i + 1 (Tools/shapesworld/classes.py SHAPES).
        #expect(detector.configuration.classNames == ["circle", "square", "triangle", "star", "hexagon"])
        var picture = Image(width: 128, height: 128, fill: RGBColor(red: 40, green: 44, blue: 52))
        picture.fillRectangle(x1: 30, y1: 40, x2: 80, y2: 90, color: RGBColor(red: 220, green: 40, blue: 40))
        let image = try detector.preprocess(picture)
        let features = try detector.features(for: [image])[0]
        let result = try detector.detect(features: features, image: image, parameters: detector.defaultParameters(seed: 1),
                                         checkpoint: {})
        print("shapesworld-detect: \(result.detections.count) detections, best \(String(describing: result.detections.first)), "
              + "backbone \(result.timings.backboneSeconds) s, head \(result.timings.headSeconds) s")
        for detection in result.detections {
            #expect(detection.x1 >= 0 && detection.x2 <= 128 && detection.x1 < detection.x2)
            #expect(detection.y1 >= 0 && detection.y2 <= 128 && detection.y1 < detection.y2)
            #expect(detection.score > Float(detector.configuration.defaults.scoreThreshold))
        }
        // A trained model finds the one square it was shown.
        let best = try #require(result.detections.first)
        #expect(best.label == "square")
        #expect(abs(best.x1 - 30) < 8 && abs(best.y1 - 40) < 8 && abs(best.x2 - 81) < 8 && abs(best.y2 - 91) < 8)
    }
}
