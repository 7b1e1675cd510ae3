// The constructor arguments diffusers' 2-D UNet/VAE blocks (src/diffusers/models/unets/unet_2d_blocks.py
// @ v0.35.2) hand down to every ResNet and transformer they contain, grouped so the block initialisers
// stay short. Field names follow the diffusers arguments given in each comment.

import Weights

/// What a block passes to each of its `ResnetBlock2D`s.
public struct ResnetBlockSettings: Sendable, Equatable {
    /// `resnet_eps`.
    public var eps: Float
    /// `resnet_groups`.
    public var groups: Int
    /// `resnet_time_scale_shift`.
    public var timeEmbeddingNorm: TimeEmbeddingNorm
    /// `resnet_act_fn`.
    public var activation: ActivationFunction
    /// `output_scale_factor`.
    public var outputScaleFactor: Float

    public init(eps: Float = 1e-6, groups: Int = 32, timeEmbeddingNorm: TimeEmbeddingNorm = .default,
                activation: ActivationFunction = .silu, outputScaleFactor: Float = 1) {
        self.eps = eps
        self.groups = groups
        self.timeEmbeddingNorm = timeEmbeddingNorm
        self.activation = activation
        self.outputScaleFactor = outputScaleFactor
    }

    /// Loads one ResNet with these settings.
    func resnet(_ scope: ParameterScope, inChannels: Int, outChannels: Int, tembChannels: Int?) throws(WeightsError) -> ResnetBlock2D {
        try ResnetBlock2D(scope, inChannels: inChannels, outChannels: outChannels, tembChannels: tembChannels, groups: groups,
                          eps: eps, activation: activation, timeEmbeddingNorm: timeEmbeddingNorm,
                          outputScaleFactor: outputScaleFactor)
    }
}

/// What a cross-attention block passes to each of its `Transformer2DModel`s.
public struct CrossAttentionSettings: Sendable, Equatable {
    /// `num_attention_heads` (the head width is the block's channels divided by it).
    public var numAttentionHeads: Int
    /// `cross_attention_dim`.
    public var crossAttentionDim: Int
    /// `transformer_layers_per_block`: transformer depth for each ResNet of the block (`nil`: 1 each).
    public var transformerLayersPerBlock: [Int]?
    /// `use_linear_projection`.
    public var useLinearProjection: Bool
    /// `only_cross_attention`.
    public var onlyCrossAttention: Bool
    /// `upcast_attention` (no effect in Float32).
    public var upcastAttention: Bool

    public init(numAttentionHeads: Int = 1, crossAttentionDim: Int = 1280, transformerLayersPerBlock: [Int]? = nil,
                useLinearProjection: Bool = false, onlyCrossAttention: Bool = false, upcastAttention: Bool = false) {
        self.numAttentionHeads = numAttentionHeads
        self.crossAttentionDim = crossAttentionDim
        self.transformerLayersPerBlock = transformerLayersPerBlock
        self.useLinearProjection = useLinearProjection
        self.onlyCrossAttention = onlyCrossAttention
        self.upcastAttention = upcastAttention
    }

    /// Loads the `index`-th of `count` transformers of a block with `channels` channels and `groups` norm groups.
    func transformer(_ scope: ParameterScope, index: Int, count: Int, channels: Int,
                     groups: Int) throws(WeightsError) -> Transformer2DModel {
        let depths = transformerLayersPerBlock ?? [Int](repeating: 1, count: count)
        try scope.require(depths.count == count, key: "transformer_layers_per_block",
                          "\(depths.count) depths for \(count) layers")
        try scope.require(numAttentionHeads > 0 && channels % numAttentionHeads == 0, key: "num_attention_heads",
                          "\(channels) channels are not divisible into \(numAttentionHeads) heads")
        let configuration = Transformer2DModel.Configuration(
            numAttentionHeads: numAttentionHeads, attentionHeadDim: channels / numAttentionHeads, inChannels: channels,
            numLayers: depths[index], normNumGroups: groups, crossAttentionDim: crossAttentionDim,
            useLinearProjection: useLinearProjection, onlyCrossAttention: onlyCrossAttention,
            upcastAttention: upcastAttention)
        return try Transformer2DModel(scope.scoped("attentions").scoped(index), configuration: configuration)
    }
}
