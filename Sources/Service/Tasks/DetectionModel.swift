import Detection
import Foundation
import ImageIO
import Weights

/// What the registry builds once for a `detect` model: the DiffusionDet detector and the
/// batching window its backbone calls go through.
///
/// A request's image joins the window when the request is accepted; the first of several
/// concurrent requests to run computes the backbone for all of them in one batched call
/// (`DiffusionDetector.features(for:)`), and each job then runs its own sampling loop.
final class DetectionModel: Sendable {
    static let task = "detect"

    /// A finished detection with where its time went.
    struct Result: Sendable {
        var detections: [Detection]
        var backboneMilliseconds: Double
        var headMilliseconds: Double
        /// Images in the backbone call this one shared.
        var backboneBatchSize: Int
        /// Boxes kept by box renewal at each step.
        var keptCounts: [Int]
    }

    /// One image's share of a batched backbone call.
    struct BackboneOutput: Sendable {
        var image: PreprocessedImage
        var features: FeaturePyramid
        var milliseconds: Double
        var batchSize: Int
    }

    let detector: DiffusionDetector
    private let backbone: BatchingWindow<Image, BackboneOutput>

    init(model: LoadedModel, settings: ServiceConfiguration.DetectionSettings) throws {
        guard let data = model.configurationData else {
            throw WeightsError.configurationUnreadable(path: model.directory.appendingPathComponent("config.json").path,
                                                       reason: "a detect model needs a config.json next to its weights")
        }
        let configuration = try DiffusionDetConfiguration.decode(data, path: model.directory.appendingPathComponent("config.json").path)
        let detector = try DiffusionDetector(configuration: configuration, files: model.weights)
        self.detector = detector
        backbone = BatchingWindow(windowMilliseconds: settings.batchWindowMilliseconds, maxBatch: settings.maxBatch) { images in
            let started = DispatchTime.now().uptimeNanoseconds
            let prepared = try images.map { try detector.preprocess($0) }
            let features = try detector.features(for: prepared)
            let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            return zip(prepared, features).map {
                BackboneOutput(image: $0, features: $1, milliseconds: milliseconds, batchSize: images.count)
            }
        }
    }

    /// The request's options with the model's defaults filled in (a random seed if none).
    func parameters(steps: Int?, boxes: Int?, scoreThreshold: Double?, seed: UInt64?, includeFinalStep: Bool?) -> DetectionParameters {
        var parameters = detector.defaultParameters(seed: seed ?? UInt64.random(in: 0...UInt64(DetectionRequest.maxSeed)))
        if let steps { parameters.steps = steps }
        if let boxes { parameters.proposals = boxes }
        if let scoreThreshold { parameters.scoreThreshold = scoreThreshold }
        parameters.includeFinalStep = includeFinalStep ?? parameters.includeFinalStep
            ?? detector.configuration.diffusion.ensembleIncludesFinalStep
        return parameters
    }

    /// Registers `image` for the next batched backbone call.
    func enqueueBackbone(_ image: Image) -> BatchingWindow<Image, BackboneOutput>.Ticket {
        backbone.enqueue(image)
    }

    /// Releases `ticket` (its job ended, however it ended).
    func discardBackbone(_ ticket: BatchingWindow<Image, BackboneOutput>.Ticket) {
        backbone.discard(ticket)
    }

    /// Images waiting for a backbone call, and tickets not yet released (for tests).
    var backboneQueue: (pending: Int, held: Int) { (backbone.pendingCount, backbone.heldCount) }

    /// Runs detection for the image behind `ticket`, reporting progress to `job`.
    func detect(ticket: BatchingWindow<Image, BackboneOutput>.Ticket, parameters: DetectionParameters,
                job: ComputeJob) throws -> Result {
        let total = parameters.steps
        let output = try backbone.result(for: ticket) { try job.checkpoint(step: 0, total: total, stage: "backbone") }
        // The detector checks in before every head stage; progress counts whole steps.
        let stages = detector.configuration.head.numStages
        var stagesRun = 0
        let result = try detector.detect(features: output.features, image: output.image, parameters: parameters) {
            try job.checkpoint(step: min(stagesRun / stages, total), total: total, stage: "denoise")
            stagesRun += 1
        }
        return Result(detections: result.detections, backboneMilliseconds: output.milliseconds,
                      headMilliseconds: result.timings.headSeconds * 1000, backboneBatchSize: output.batchSize,
                      keptCounts: result.keptCounts)
    }
}
