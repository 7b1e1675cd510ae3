import Foundation
import Tensor
import Weights
@testable import Story

/// The committed story folder `Tests/Fixtures/story/tiny` (the bundled ShapesWorld base model + a random history
/// encoder) and the reference outputs `expected.safetensors`, both written by
/// `Tools/reference/make_story_fixtures.py` with `Tools/reference/arldm_ref.py` (diffusers 0.35.2, torch 2.13,
/// transformers 4.57.6).
enum StoryFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/story", isDirectory: true)

    static let folder = directory.appendingPathComponent("tiny", isDirectory: true)

    /// `tiny-fine`: a 16×16 latent grid (UNet grown by an outer DownBlock2D / UpBlock2D level, VAE with one
    /// downsampling), random weights, with its 2-frame story in `fine.safetensors`.
    static let fineFolder = directory.appendingPathComponent("tiny-fine", isDirectory: true)

    /// The script's `CAPTIONS`.
    static let captions = ["a red circle on the left", "the red circle jumps above a blue square",
                           "two green triangles", "a red circle below a yellow star"]
    static let guidance: Float = 5
    static let stepCount = 25
    static let stepIndex = 12
    static let runSteps = 10
    static let runSeed: UInt64 = 7

    private static let loaded = Result { try StoryPipeline(directory: folder) }

    /// The pipeline, loaded once per test process.
    static func pipeline() throws -> StoryPipeline { try loaded.get() }

    private static let expected = Result { try SafetensorsFile(path: directory.appendingPathComponent("expected.safetensors").path) }

    private static let fine = Result { try SafetensorsFile(path: directory.appendingPathComponent("fine.safetensors").path) }

    /// `name` from `expected.safetensors`.
    static func tensor(_ name: String) throws -> Tensor {
        let stored = try expected.get().tensor(named: name)
        return Tensor(shape: stored.shape, values: try stored.floats())
    }

    /// `name` from `fine.safetensors` (the `tiny-fine` story).
    static func fineTensor(_ name: String) throws -> Tensor {
        let stored = try fine.get().tensor(named: name)
        return Tensor(shape: stored.shape, values: try stored.floats())
    }

    /// Fixed frame k of `inputs.images` as (1, 3, 32, 32).
    static func frame(_ index: Int) throws -> Tensor {
        try tensor("inputs.images").sliced(dimension: 0, start: index, end: index + 1).contiguous()
    }

    /// max |a − b| / max |b|: the "within 1e-4 of scale".
    static func relativeError(_ actual: Tensor, _ reference: Tensor) -> Float {
        actual.maxAbsDifference(reference) / max(reference.maxAbs(), .leastNormalMagnitude)
    }
}
