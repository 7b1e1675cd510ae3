// The public entry point of the detection module: load a model folder, preprocess images, run the
// backbone once per (batch of) images, and sample detections per request.

import Foundation
import ImageIO
import Tensor
import Weights

/// A loaded DiffusionDet detector (Chen et al. 2023, arXiv 2211.09788) for CPU inference.
///
/// The work splits the way a service batches it: `preprocess` per image, one `features(for:)` backbone
/// call for a batch of images, then `detect` per request (the head runs `steps` times on the cached
/// features). Immutable and `Sendable`: one instance serves concurrent requests.
///
/// ```swift
/// let detector = try DiffusionDetector(folder: modelFolder)
/// let image = try detector.preprocess(decoded)
/// let features = try detector.features(for: [image])
/// let result = try detector.detect(features: features[0], image: image,
///                                  parameters: detector.defaultParameters(seed: 7), checkpoint: {})
/// ```
public struct DiffusionDetector: Sendable {
    public let model: DiffusionDetModel
    let schedule: CosineSchedule

    public var configuration: DiffusionDetConfiguration { model.configuration }

    /// Loads `folder/config.json` and `folder/model.safetensors` (every `*.safetensors` in the folder).
    public init(folder: URL, precision: WeightsPrecisionPolicy = .keepStored) throws(DetectionError) {
        do throws(WeightsError) {
            let configuration = try DiffusionDetConfiguration.load(fromDirectory: folder)
            let store = try ParameterStore(directory: folder, precision: precision)
            try self.init(model: DiffusionDetModel(store: store, configuration: configuration))
        } catch {
            throw .loadFailed(error)
        }
    }

    /// Builds the detector from a configuration and opened safetensors files.
    public init(configuration: DiffusionDetConfiguration, files: [SafetensorsFile],
                precision: WeightsPrecisionPolicy = .keepStored) throws(DetectionError) {
        do throws(WeightsError) {
            let store = try ParameterStore(files: files, precision: precision)
            try self.init(model: DiffusionDetModel(store: store, configuration: configuration))
        } catch {
            throw .loadFailed(error)
        }
    }

    public init(model: DiffusionDetModel) {
        self.model = model
        schedule = CosineSchedule(timesteps: model.configuration.diffusion.timesteps)
    }

    /// The configuration's defaults with `seed`.
    public func defaultParameters(seed: UInt64 = 0) -> DetectionParameters {
        DetectionParameters(defaults: configuration, seed: seed)
    }

    /// Resizes, normalises and pads `image` (RGB or RGBA; alpha is dropped).
    public func preprocess(_ image: Image) throws(DetectionError) -> PreprocessedImage {
        try PreprocessedImage(image, configuration: configuration.input)
    }

    /// Runs the backbone once for all `images`, padded to the largest of them, and returns one pyramid
    /// per image, cropped to that image's own padded size.
    ///
    /// Each image's padding is zeroed after every layer (`PaddingMask`), so a batched call returns what
    /// separate calls return up to GEMM rounding (the products have other sizes, so BLAS may block them
    /// differently); without that, features near the border would depend on the other images.
    public func features(for images: [PreprocessedImage]) throws(DetectionError) -> [FeaturePyramid] {
        guard !images.isEmpty else { return [] }
        let start = ContinuousClock.now
        let height = images.map(\.paddedHeight).max() ?? 0, width = images.map(\.paddedWidth).max() ?? 0
        let sameSize = images.allSatisfy { $0.paddedHeight == height && $0.paddedWidth == width }
        let levels = try tensorOp { () throws(TensorError) -> [Tensor] in
            let batch: Tensor
            if sameSize {
                var items: [Tensor] = []
                for image in images { items.append(try image.tensor.unsqueezed(0)) }
                batch = try Tensor.concatenate(items, dimension: 0)
            } else {
                var padded = Tensor.zeros([images.count, 3, height, width])
                padded.withUnsafeMutableBufferPointer { output in
                    for (index, image) in images.enumerated() {
                        image.tensor.withUnsafeBufferPointer { input in
                            for channel in 0..<3 {
                                for row in 0..<image.paddedHeight {
                                    let from = (channel * image.paddedHeight + row) * image.paddedWidth
                                    let to = ((index * 3 + channel) * height + row) * width
                                    for column in 0..<image.paddedWidth { output[to + column] = input[from + column] }
                                }
                            }
                        }
                    }
                }
                batch = padded
            }
            let mask = sameSize ? nil : PaddingMask(
                batchHeight: height, batchWidth: width,
                extents: images.map { PaddingMask.Extent(height: $0.paddedHeight, width: $0.paddedWidth) })
            return try model.backbone(batch, mask: mask)
        }
        let strides = levels.map { height / max($0.shape[2], 1) }
        var pyramids: [FeaturePyramid] = []
        for (index, image) in images.enumerated() {
            let perLevel = try tensorOp { () throws(TensorError) -> [Tensor] in
                var cropped: [Tensor] = []
                for (level, tensor) in levels.enumerated() {
                    cropped.append(try tensor.selected(dimension: 0, index: index)
                        .sliced(dimension: 1, start: 0, end: image.paddedHeight / strides[level])
                        .sliced(dimension: 2, start: 0, end: image.paddedWidth / strides[level])
                        .permuted([1, 2, 0]).contiguous())
                }
                return cropped
            }
            pyramids.append(FeaturePyramid(levels: perLevel, strides: strides, paddedHeight: image.paddedHeight,
                                           paddedWidth: image.paddedWidth, backboneSeconds: 0))
        }
        let seconds = (ContinuousClock.now - start).seconds
        return pyramids.map { $0.withBackboneSeconds(seconds) }
    }

    /// Detects objects with the seeded noise of `parameters.seed`. `checkpoint` runs before every head
    /// stage and may throw to stop (cancellation, deadline); its error propagates unchanged. Other
    /// failures are `DetectionError`s.
    public func detect(features: FeaturePyramid, image: PreprocessedImage, parameters: DetectionParameters,
                       checkpoint: () throws -> Void) throws -> DetectionResult {
        var noise = SeededBoxNoise(seed: parameters.seed)
        return try detect(features: features, image: image, parameters: parameters, noise: &noise,
                          checkpoint: checkpoint)
    }

    /// `detect` with the box noise drawn from `noise` (e.g. `RecordedBoxNoise` replaying a reference run).
    public func detect(features: FeaturePyramid, image: PreprocessedImage, parameters: DetectionParameters,
                       noise: inout some BoxNoiseSource, checkpoint: () throws -> Void) throws -> DetectionResult {
        try parameters.validate(timesteps: configuration.diffusion.timesteps)
        guard features.paddedHeight == image.paddedHeight, features.paddedWidth == image.paddedWidth,
              features.channels == configuration.fpn.outChannels else {
            throw DetectionError.featuresMismatch(
                reason: "features of a \(features.paddedWidth)×\(features.paddedHeight) input with \(features.channels) channels, "
                    + "image padded to \(image.paddedWidth)×\(image.paddedHeight)")
        }
        let start = ContinuousClock.now
        let sampler = DiffusionDetSampler(schedule: schedule, configuration: configuration.diffusion,
                                          classCount: configuration.classCount)
        let outcome = try sampler.sample(
            head: model.head, pyramid: features, imageWidth: image.resizedWidth, imageHeight: image.resizedHeight,
            proposals: parameters.proposals, steps: parameters.steps,
            includeFinalStep: parameters.includeFinalStep ?? configuration.diffusion.ensembleIncludesFinalStep,
            noise: &noise, checkpoint: checkpoint)
        let postprocessor = DetectionPostprocessor(classNames: configuration.classNames,
                                                   nmsIoUThreshold: Float(configuration.diffusion.nmsIoUThreshold))
        let detections = try postprocessor.detections(from: outcome.candidates, scoreThreshold: parameters.scoreThreshold,
                                                      image: image)
        let seconds = (ContinuousClock.now - start).seconds
        return DetectionResult(detections: detections,
                               timings: DetectionTimings(backboneSeconds: features.backboneSeconds, headSeconds: seconds),
                               keptCounts: outcome.keptCounts)
    }

    /// One head call on fixed boxes (N xyxy rows in resized-image pixels) at `timestep`: every stage's
    /// logits and boxes (for parity checks and diagnostics).
    public func headOutputs(features: FeaturePyramid, boxes: [Float], timestep: Int) throws -> [DynamicHead.StageOutput] {
        guard boxes.count % 4 == 0, timestep >= 0, timestep < configuration.diffusion.timesteps else {
            throw DetectionError.invalidParameter(parameter: "boxes", reason: "need N×4 values and 0 ≤ t < T")
        }
        return try model.head(features, boxes: boxes, timestep: timestep)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
