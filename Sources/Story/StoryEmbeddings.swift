// Mirrors Tools/reference/arldm_ref.py `StoryEmbeddings` and AR-LDM's `modal_type_embeddings` / `time_embeddings`
// (story_video_3d.md §1.2 steps 1–2). File: `story_embeddings.safetensors` at the story folder's root.

import Foundation
import Layers
import Tensor
import Weights

/// The two learned tables that tell the UNet which context tokens are what: `modal_type_embeddings` (2, D)
/// — row 0 is added to the current caption, row 1 to every history slot — and `time_embeddings` (V, D), row k
/// added to history slot k (the frame-position embedding).
public struct StoryEmbeddings: Sendable {
    /// The file name inside a story folder.
    public static let fileName = "story_embeddings.safetensors"
    /// Row of ``modalTypeEmbeddings`` for the current caption (type₀).
    public static let captionType = 0
    /// Row of ``modalTypeEmbeddings`` for history slots (type₁).
    public static let historyType = 1

    /// (2, D).
    public let modalTypeEmbeddings: Embedding
    /// (maxFrames, D).
    public let timeEmbeddings: Embedding

    public init(_ scope: ParameterScope, maxFrames: Int, hiddenSize: Int) throws(WeightsError) {
        modalTypeEmbeddings = try Embedding(scope.scoped("modal_type_embeddings"), count: 2, dimension: hiddenSize)
        timeEmbeddings = try Embedding(scope.scoped("time_embeddings"), count: maxFrames, dimension: hiddenSize)
    }

    /// Loads `story_embeddings.safetensors`, reporting every missing, unexpected and mis-shaped tensor together.
    public init(fileURL: URL, maxFrames: Int, hiddenSize: Int,
                precision: WeightsPrecisionPolicy = .keepStored) throws(WeightsError) {
        let store = try ParameterStore(contentsOf: [fileURL], precision: precision)
        try self.init(store.root, maxFrames: maxFrames, hiddenSize: hiddenSize)
        try store.finishLoading()
    }

    /// type₀ as (1, 1, D), broadcastable over caption tokens.
    public func captionEmbedding() throws(TensorError) -> Tensor {
        try modalTypeEmbeddings([Self.captionType], shape: [1, 1])
    }

    /// type₁ + frame_k as (1, 1, D), broadcastable over one slot's tokens.
    public func slotEmbedding(frame: Int) throws(TensorError) -> Tensor {
        try modalTypeEmbeddings([Self.historyType], shape: [1, 1]) + timeEmbeddings([frame], shape: [1, 1])
    }
}
