// Follows diffusers `Transformer2DModel` for continuous (latent image) input
// (src/diffusers/models/transformers/transformer_2d.py @ v0.35.2). State-dict keys: `norm`, `proj_in`,
// `transformer_blocks.N`, `proj_out`.

import Tensor
import Weights

/// diffusers `Transformer2DModel` on (B, C, H, W): GroupNorm → `proj_in` (1×1 conv, or Linear when
/// `useLinearProjection`) → `BasicTransformerBlock`s over the H·W tokens → `proj_out` → + input.
public struct Transformer2DModel: Sendable {
    /// The fields of a diffusers `Transformer2DModel` `config.json` this implementation supports.
    public struct Configuration: Sendable, Codable, Equatable {
        public var numAttentionHeads: Int = 16
        public var attentionHeadDim: Int = 88
        public var inChannels: Int
        public var outChannels: Int?
        public var numLayers: Int = 1
        public var normNumGroups: Int = 32
        public var crossAttentionDim: Int?
        public var attentionBias: Bool = false
        public var activationFn: FeedForward.ActivationKind = .geglu
        public var useLinearProjection: Bool = false
        public var onlyCrossAttention: Bool = false
        public var doubleSelfAttention: Bool = false
        public var upcastAttention: Bool = false
        public var normElementwiseAffine: Bool = true
        public var normEps: Float = 1e-5

        enum CodingKeys: String, CodingKey {
            case numAttentionHeads = "num_attention_heads", attentionHeadDim = "attention_head_dim"
            case inChannels = "in_channels", outChannels = "out_channels", numLayers = "num_layers"
            case normNumGroups = "norm_num_groups", crossAttentionDim = "cross_attention_dim"
            case attentionBias = "attention_bias", activationFn = "activation_fn"
            case useLinearProjection = "use_linear_projection", onlyCrossAttention = "only_cross_attention"
            case doubleSelfAttention = "double_self_attention", upcastAttention = "upcast_attention"
            case normElementwiseAffine = "norm_elementwise_affine", normEps = "norm_eps"
        }

        /// A configuration with diffusers' defaults for everything not given.
        public init(numAttentionHeads: Int = 16, attentionHeadDim: Int = 88, inChannels: Int, outChannels: Int? = nil,
                    numLayers: Int = 1, normNumGroups: Int = 32, crossAttentionDim: Int? = nil,
                    attentionBias: Bool = false, activationFn: FeedForward.ActivationKind = .geglu,
                    useLinearProjection: Bool = false, onlyCrossAttention: Bool = false,
                    doubleSelfAttention: Bool = false, upcastAttention: Bool = false,
                    normElementwiseAffine: Bool = true, normEps: Float = 1e-5) {
            self.numAttentionHeads = numAttentionHeads
            self.attentionHeadDim = attentionHeadDim
            self.inChannels = inChannels
            self.outChannels = outChannels
            self.numLayers = numLayers
            self.normNumGroups = normNumGroups
            self.crossAttentionDim = crossAttentionDim
            self.attentionBias = attentionBias
            self.activationFn = activationFn
            self.useLinearProjection = useLinearProjection
            self.onlyCrossAttention = onlyCrossAttention
            self.doubleSelfAttention = doubleSelfAttention
            self.upcastAttention = upcastAttention
            self.normElementwiseAffine = normElementwiseAffine
            self.normEps = normEps
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Configuration(inChannels: 0)
            inChannels = try c.decode(Int.self, forKey: .inChannels)
            numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? defaults.numAttentionHeads
            attentionHeadDim = try c.decodeIfPresent(Int.self, forKey: .attentionHeadDim) ?? defaults.attentionHeadDim
            outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels)
            numLayers = try c.decodeIfPresent(Int.self, forKey: .numLayers) ?? defaults.numLayers
            normNumGroups = try c.decodeIfPresent(Int.self, forKey: .normNumGroups) ?? defaults.normNumGroups
            crossAttentionDim = try c.decodeIfPresent(Int.self, forKey: .crossAttentionDim)
            attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? defaults.attentionBias
            activationFn = try c.decodeIfPresent(FeedForward.ActivationKind.self, forKey: .activationFn) ?? defaults.activationFn
            useLinearProjection = try c.decodeIfPresent(Bool.self, forKey: .useLinearProjection) ?? defaults.useLinearProjection
            onlyCrossAttention = try c.decodeIfPresent(Bool.self, forKey: .onlyCrossAttention) ?? defaults.onlyCrossAttention
            doubleSelfAttention = try c.decodeIfPresent(Bool.self, forKey: .doubleSelfAttention) ?? defaults.doubleSelfAttention
            upcastAttention = try c.decodeIfPresent(Bool.self, forKey: .upcastAttention) ?? defaults.upcastAttention
            normElementwiseAffine = try c.decodeIfPresent(Bool.self, forKey: .normElementwiseAffine) ?? defaults.normElementwiseAffine
            normEps = try c.decodeIfPresent(Float.self, forKey: .normEps) ?? defaults.normEps
        }
    }

    /// `proj_in` / `proj_out`: a 1×1 convolution or a Linear (`use_linear_projection`).
    public enum Projection: Sendable {
        case convolution(Conv2d)
        case linear(Linear)
    }

    public let configuration: Configuration
    /// `norm`: GroupNorm(normNumGroups, inChannels, eps 1e-6).
    public let norm: GroupNorm
    public let projIn: Projection
    public let transformerBlocks: [BasicTransformerBlock]
    public let projOut: Projection

    /// Loads the model under `scope`.
    public init(_ scope: ParameterScope, configuration: Configuration) throws(WeightsError) {
        self.configuration = configuration
        let inner = configuration.numAttentionHeads * configuration.attentionHeadDim
        let channels = configuration.inChannels
        let outChannels = configuration.outChannels ?? channels
        norm = try GroupNorm(scope.scoped("norm"), groups: configuration.normNumGroups, channels: channels, eps: 1e-6)
        if configuration.useLinearProjection {
            projIn = .linear(try Linear(scope.scoped("proj_in"), inFeatures: channels, outFeatures: inner))
            projOut = .linear(try Linear(scope.scoped("proj_out"), inFeatures: inner, outFeatures: outChannels))
        } else {
            projIn = .convolution(try Conv2d(scope.scoped("proj_in"), inChannels: channels, outChannels: inner, kernelSize: 1))
            projOut = .convolution(try Conv2d(scope.scoped("proj_out"), inChannels: inner, outChannels: outChannels, kernelSize: 1))
        }
        var blocks: [BasicTransformerBlock] = []
        for index in 0..<configuration.numLayers {
            blocks.append(try BasicTransformerBlock(
                scope.scoped("transformer_blocks").scoped(index), dim: inner,
                numAttentionHeads: configuration.numAttentionHeads, attentionHeadDim: configuration.attentionHeadDim,
                crossAttentionDim: configuration.crossAttentionDim, activation: configuration.activationFn,
                attentionBias: configuration.attentionBias, onlyCrossAttention: configuration.onlyCrossAttention,
                doubleSelfAttention: configuration.doubleSelfAttention, upcastAttention: configuration.upcastAttention,
                normElementwiseAffine: configuration.normElementwiseAffine, normEps: configuration.normEps))
        }
        transformerBlocks = blocks
    }

    /// Runs the model on `hiddenStates` (B, C, H, W) and returns (B, outChannels, H, W).
    ///
    /// - Parameters:
    ///   - encoderHiddenStates: context (B, S, crossAttentionDim).
    ///   - attentionMask, encoderAttentionMask: a 2-D (B, ·) mask is a 1/0 keep mask and becomes a
    ///     `−10000` additive bias, as in diffusers; a 3-D mask is used as an additive bias as is.
    public func callAsFunction(_ hiddenStates: Tensor, encoderHiddenStates: Tensor? = nil, attentionMask: Tensor? = nil,
                               encoderAttentionMask: Tensor? = nil) throws(TensorError) -> Tensor {
        guard hiddenStates.rank == 4 else {
            throw .shapeMismatch(op: "transformer_2d", shapes: [hiddenStates.shape], reason: "expected (B, C, H, W)")
        }
        let (batch, height, width) = (hiddenStates.shape[0], hiddenStates.shape[2], hiddenStates.shape[3])
        let selfMask = try Self.bias(attentionMask)
        let contextMask = try Self.bias(encoderAttentionMask)
        let normalized = try norm(hiddenStates)
        var tokens: Tensor
        switch projIn {
        case .convolution(let conv):
            let projected = try conv(normalized)
            tokens = try projected.permuted([0, 2, 3, 1]).reshaped([batch, height * width, projected.shape[1]])
        case .linear(let linear):
            tokens = try linear(normalized.permuted([0, 2, 3, 1]).reshaped([batch, height * width, normalized.shape[1]]))
        }
        for block in transformerBlocks {
            tokens = try block(tokens, encoderHiddenStates: encoderHiddenStates, attentionMask: selfMask,
                               encoderAttentionMask: contextMask)
        }
        let output: Tensor
        switch projOut {
        case .convolution(let conv):
            output = try conv(tokens.reshaped([batch, height, width, tokens.shape[2]]).permuted([0, 3, 1, 2]))
        case .linear(let linear):
            let projected = try linear(tokens)
            output = try projected.reshaped([batch, height, width, projected.shape[2]]).permuted([0, 3, 1, 2]).contiguous()
        }
        return try LayerKernels.addResidual(output, hiddenStates)
    }

    private static func bias(_ mask: Tensor?) throws(TensorError) -> Tensor? {
        guard let mask else { return nil }
        return mask.rank == 2 ? try Attention.additiveMask(keepMask: mask) : mask
    }
}
