// Follows diffusers `UNet2DConditionModel` (src/diffusers/models/unets/unet_2d_condition.py @ v0.35.2) as
// Stable Diffusion 1.x/2.x configure it. State-dict keys: `conv_in`, `time_embedding.linear_1/2`,
// `down_blocks.N…`, `mid_block…`, `up_blocks.N…`, `conv_norm_out`, `conv_out` (`time_proj` has no weights).

import Layers
import Tensor
import Weights

/// diffusers `UNet2DConditionModel`: the noise-prediction network of Stable Diffusion 1.x/2.x.
///
/// `conv_in` → sinusoidal time projection + `TimestepEmbedding` → down blocks (keeping every intermediate state as
/// a skip connection) → `UNetMidBlock2DCrossAttn` → up blocks (consuming the skips, deepest first) →
/// `conv_norm_out` + activation → `conv_out`. Cross-attention blocks attend to `encoderHiddenStates`
/// (the text encoder's hidden states). Loading is construction: ``init(_:configuration:)`` requests every tensor
/// with the shape the configuration implies; ``init(directory:variant:precision:)`` also checks that the
/// checkpoint held exactly those keys.
public struct UNet2DConditionModel: Sendable {
    public let configuration: Configuration
    /// `conv_in`.
    public let convIn: Conv2d
    /// `time_proj` (no weights).
    public let timeProj: Timesteps
    /// `time_embedding`.
    public let timeEmbedding: TimestepEmbedding
    /// `down_blocks`.
    public let downBlocks: [UNetDownBlock]
    /// `mid_block`.
    public let midBlock: UNetMidBlock2DCrossAttn
    /// `up_blocks`.
    public let upBlocks: [UNetUpBlock]
    /// `conv_norm_out`.
    public let convNormOut: GroupNorm
    /// `conv_out`.
    public let convOut: Conv2d

    /// Loads the model under `scope` (the root of a diffusers `unet/` checkpoint).
    public init(_ scope: ParameterScope, configuration: Configuration) throws(WeightsError) {
        self.configuration = configuration
        let blocks = configuration.blocks
        guard let first = blocks.first, let last = blocks.last, configuration.upBlockTypes.count == blocks.count else {
            throw .configurationInvalid(path: scope.prefix.isEmpty ? "<root>" : scope.prefix, key: "down_block_types",
                                        reason: "needs at least one block and as many up blocks as down blocks")
        }
        let timeEmbedDim = configuration.timeEmbedDim
        convIn = try Conv2d(scope.scoped("conv_in"), inChannels: configuration.inChannels, outChannels: first.outChannels,
                            kernelSize: configuration.convInKernel, padding: (configuration.convInKernel - 1) / 2)
        timeProj = Timesteps(numChannels: first.outChannels, flipSinToCos: configuration.flipSinToCos,
                             downscaleFreqShift: configuration.freqShift)
        timeEmbedding = try TimestepEmbedding(scope.scoped("time_embedding"), inChannels: first.outChannels,
                                              timeEmbedDim: timeEmbedDim, activation: configuration.activation,
                                              postActivation: configuration.timestepPostActivation)
        let resnet = ResnetBlockSettings(eps: configuration.normEps, groups: configuration.normNumGroups,
                                         timeEmbeddingNorm: configuration.resnetTimeScaleShift,
                                         activation: configuration.activation)
        func attention(_ block: Block, layers: Int) -> CrossAttentionSettings {
            CrossAttentionSettings(numAttentionHeads: block.attentionHeads, crossAttentionDim: block.crossAttentionDim,
                                   transformerLayersPerBlock: [Int](repeating: block.transformerLayers, count: layers),
                                   useLinearProjection: configuration.useLinearProjection,
                                   onlyCrossAttention: block.onlyCrossAttention,
                                   upcastAttention: configuration.upcastAttention)
        }

        var downBlocks: [UNetDownBlock] = []
        for (index, block) in blocks.enumerated() {
            downBlocks.append(try UNetDownBlock(
                scope.scoped("down_blocks").scoped(index), kind: block.downBlockType,
                inChannels: index == 0 ? first.outChannels : blocks[index - 1].outChannels, outChannels: block.outChannels,
                tembChannels: timeEmbedDim, numLayers: block.layersPerBlock, resnet: resnet,
                attention: attention(block, layers: block.layersPerBlock), addDownsample: index < blocks.count - 1,
                downsamplePadding: configuration.downsamplePadding))
        }
        self.downBlocks = downBlocks

        var midResnet = resnet
        midResnet.outputScaleFactor = configuration.midBlockScaleFactor
        midBlock = try UNetMidBlock2DCrossAttn(scope.scoped("mid_block"), inChannels: last.outChannels,
                                               tembChannels: timeEmbedDim, numLayers: 1, resnet: midResnet,
                                               attention: attention(last, layers: 1))

        // Up block i mirrors down block (count − 1 − i): reversed widths, heads, context widths and depths.
        let mirrored = Array(blocks.reversed())
        var upBlocks: [UNetUpBlock] = []
        for (index, kind) in configuration.upBlockTypes.enumerated() {
            let block = mirrored[index]
            let layers = block.layersPerBlock + 1
            upBlocks.append(try UNetUpBlock(
                scope.scoped("up_blocks").scoped(index), kind: kind,
                inChannels: mirrored[min(index + 1, mirrored.count - 1)].outChannels,
                prevOutputChannel: index == 0 ? mirrored[0].outChannels : mirrored[index - 1].outChannels,
                outChannels: block.outChannels, tembChannels: timeEmbedDim, numLayers: layers, resnet: resnet,
                attention: attention(block, layers: layers), addUpsample: index < mirrored.count - 1))
        }
        self.upBlocks = upBlocks

        convNormOut = try GroupNorm(scope.scoped("conv_norm_out"), groups: configuration.normNumGroups,
                                    channels: first.outChannels, eps: configuration.normEps)
        convOut = try Conv2d(scope.scoped("conv_out"), inChannels: first.outChannels, outChannels: configuration.outChannels,
                             kernelSize: configuration.convOutKernel, padding: (configuration.convOutKernel - 1) / 2)
    }

    /// Predicts the model output (noise, v or x₀, as the checkpoint was trained) for `sample`.
    ///
    /// - Parameters:
    ///   - sample: noisy latents (B, inChannels, H, W). H and W need not be multiples of 2^(blocks − 1): the up
    ///     blocks are then given the skip connections' sizes, as in diffusers.
    ///   - timestep: one timestep for the whole batch, or one per batch item (fractional values allowed).
    ///   - encoderHiddenStates: the context (B, L, crossAttentionDim).
    ///   - encoderAttentionMask: optional keep mask (B, L), 1 = attend, 0 = ignore (becomes a −10000 bias).
    /// - Returns: (B, outChannels, H, W).
    public func callAsFunction(_ sample: Tensor, timestep: [Float], encoderHiddenStates: Tensor,
                               encoderAttentionMask: Tensor? = nil) throws(TensorError) -> Tensor {
        guard sample.rank == 4, sample.shape[1] == configuration.inChannels else {
            throw .shapeMismatch(op: "unet_2d_condition", shapes: [sample.shape],
                                 reason: "sample must be (B, \(configuration.inChannels), H, W)")
        }
        let batch = sample.shape[0]
        guard encoderHiddenStates.rank == 3, encoderHiddenStates.shape[0] == batch else {
            throw .shapeMismatch(op: "unet_2d_condition", shapes: [sample.shape, encoderHiddenStates.shape],
                                 reason: "encoder hidden states must be (B, L, D) with the sample's batch size")
        }
        if let encoderAttentionMask, encoderAttentionMask.shape != [batch, encoderHiddenStates.shape[1]] {
            throw .shapeMismatch(op: "unet_2d_condition", shapes: [encoderAttentionMask.shape, encoderHiddenStates.shape],
                                 reason: "the encoder attention mask must be (B, L)")
        }
        let timesteps: [Float]
        switch timestep.count {
        case batch: timesteps = timestep
        case 1: timesteps = [Float](repeating: timestep[0], count: batch)
        default:
            throw .invalidArgument(op: "unet_2d_condition", reason: "\(timestep.count) timesteps for a batch of \(batch)")
        }

        var embedding = try timeEmbedding(timeProj(timesteps))
        if let activation = configuration.timeEmbeddingActivation { embedding = activation(embedding) }

        let input = configuration.centerInputSample ? sample.map { 2 * $0 - 1 } : sample
        var h = try convIn(input)
        var skips = [h]
        for block in downBlocks {
            let (output, states) = try block(h, temb: embedding, encoderHiddenStates: encoderHiddenStates,
                                             encoderAttentionMask: encoderAttentionMask)
            h = output
            skips += states
        }
        h = try midBlock(h, temb: embedding, encoderHiddenStates: encoderHiddenStates,
                         encoderAttentionMask: encoderAttentionMask)

        // diffusers: explicit upsample sizes only when a spatial size is not a multiple of the overall factor.
        let factor = 1 << configuration.upsamplerCount
        let forwardUpsampleSize = sample.shape[2] % factor != 0 || sample.shape[3] % factor != 0
        for (index, block) in upBlocks.enumerated() {
            let count = block.resnetCount
            guard skips.count >= count else {
                throw .invalidArgument(op: "unet_2d_condition", reason: "up block \(index) needs \(count) skip states")
            }
            let blockSkips = Array(skips.suffix(count))
            skips.removeLast(count)
            var upsampleSize: (Int, Int)?
            if forwardUpsampleSize, index < upBlocks.count - 1, let next = skips.last {
                upsampleSize = (next.shape[2], next.shape[3])
            }
            h = try block(h, skipStates: blockSkips, temb: embedding, encoderHiddenStates: encoderHiddenStates,
                          encoderAttentionMask: encoderAttentionMask, upsampleSize: upsampleSize)
        }
        h = configuration.activation.isSiLU
            ? try convNormOut(h, fusedSiLU: true)
            : configuration.activation(try convNormOut(h))
        return try convOut(h)
    }

    /// The same, with one timestep for the whole batch.
    public func callAsFunction(_ sample: Tensor, timestep: Float, encoderHiddenStates: Tensor,
                               encoderAttentionMask: Tensor? = nil) throws(TensorError) -> Tensor {
        try self(sample, timestep: [timestep], encoderHiddenStates: encoderHiddenStates,
                 encoderAttentionMask: encoderAttentionMask)
    }
}
