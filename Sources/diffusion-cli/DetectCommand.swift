import ArgumentParser
import Detection
import Foundation
import ImageIO
import Tensor

/// `diffusion-cli detect`: DiffusionDet on one image file, offline — the `/v1/detect` pipeline without
/// the server. Prints one JSON object per detection, then one with the timings; `--out` writes the
/// annotated PNG (`Image.drawing(_:)`, the drawing the service answers `format=png` with).
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Object detection with a DiffusionDet model folder; prints JSON lines, optionally writes a PNG.")

    @Option(name: .long, help: "DiffusionDet model folder (config.json + model.safetensors).")
    var model: String

    @Option(name: .long, help: "Input image (PNG or JPEG).")
    var image: String

    @Option(name: .long, help: "Write the image with the boxes drawn to this PNG.")
    var out: String?

    @Option(name: .long, help: "DDIM sampling steps (default: the model's).")
    var steps: Int?

    @Option(name: .long, help: "Proposal boxes (default: the model's).")
    var boxes: Int?

    @Option(name: .long, help: "Keep detections scoring above this (default: the model's).")
    var scoreThreshold: Double?

    @Option(name: .long, help: "Seed of the box noise (torch.manual_seed-compatible).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Threads for BLAS and parallel loops (default: all cores).")
    var threads: Int?

    func run() throws {
        if let threads { ComputeThreads.setCount(threads) }
        let clock = ContinuousClock()
        let loadStart = clock.now
        let detector = try DiffusionDetector(folder: URL(fileURLWithPath: model))
        let loadSeconds = (clock.now - loadStart).seconds
        let bytes = try Data(contentsOf: URL(fileURLWithPath: image))
        let decodeStart = clock.now
        let decoded = try ImageDecoder.decode(bytes)
        let prepared = try detector.preprocess(decoded)
        let preprocessSeconds = (clock.now - decodeStart).seconds
        var parameters = detector.defaultParameters(seed: seed)
        if let steps { parameters.steps = steps }
        if let boxes { parameters.proposals = boxes }
        if let scoreThreshold { parameters.scoreThreshold = scoreThreshold }
        let features = try detector.features(for: [prepared])
        let result = try detector.detect(features: features[0], image: prepared, parameters: parameters, checkpoint: {})
        for detection in result.detections {
            print(Self.jsonLine([
                "label": detection.label, "class_id": detection.classIndex, "score": Double(detection.score),
                "box": [detection.x1, detection.y1, detection.x2, detection.y2].map(Double.init),
            ]))
        }
        print(Self.jsonLine(["timings": [
            "load_ms": loadSeconds * 1e3, "decode_preprocess_ms": preprocessSeconds * 1e3,
            "backbone_ms": result.timings.backboneSeconds * 1e3, "head_ms": result.timings.headSeconds * 1e3,
        ] as [String: Any], "detections": result.detections.count, "kept_per_step": result.keptCounts,
           "steps": parameters.steps, "boxes": parameters.proposals, "threads": ComputeThreads.count,
           "image": ["width": decoded.width, "height": decoded.height,
                     "input_width": prepared.paddedWidth, "input_height": prepared.paddedHeight]]))
        if let out {
            try Data(try PNGEncoder.encode(decoded.drawing(result.detections))).write(to: URL(fileURLWithPath: out))
            FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
        }
    }

    /// One JSON object on one line, keys sorted.
    static func jsonLine(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
