// Follows diffusers `ResnetBlock2D` (src/diffusers/models/resnet.py @ v0.35.2). State-dict keys:
// `norm1`, `conv1`, `time_emb_proj`, `norm2`, `conv2`, `conv_shortcut`.

import Tensor
import Weights

/// How the time embedding enters a `ResnetBlock2D` (`time_embedding_norm`).
public enum TimeEmbeddingNorm: String, Sendable, Codable {
    /// `h + time_emb_proj(act(temb))` before `norm2`.
    case `default`
    /// `norm2(h) · (1 + scale) + shift` with `scale, shift = time_emb_proj(act(temb)).chunk(2)`.
    case scaleShift = "scale_shift"
}

/// diffusers `ResnetBlock2D`: `norm1 → act → conv1 (+ time embedding) → norm2 → act → conv2`, plus the
/// (optionally 1×1- or 3×3-projected) input, divided by `outputScaleFactor`. Dropout is inference-off.
/// The `up`/`down`/FIR variants are not used by SD-family models and are not supported. The shortcut is
/// always a 1×1 convolution: diffusers 0.35 records its `conv_shortcut` flag but never builds a 3×3 one.
public struct ResnetBlock2D: Sendable {
    public let norm1: GroupNorm
    public let conv1: Conv2d
    /// `time_emb_proj`, or `nil` without a time embedding (`temb_channels=None`, e.g. the VAE).
    public let timeEmbProj: Linear?
    public let norm2: GroupNorm
    public let conv2: Conv2d
    /// `conv_shortcut`, present when the channel count changes (or `use_in_shortcut`).
    public let convShortcut: Conv2d?
    public let activation: ActivationFunction
    public let timeEmbeddingNorm: TimeEmbeddingNorm
    public let outputScaleFactor: Float
    /// Whether the activation is skipped before `time_emb_proj` (`skip_time_act`).
    public let skipTimeAct: Bool

    /// Loads the block under `scope` with diffusers' constructor arguments and defaults.
    ///
    /// - Parameters:
    ///   - outChannels: defaults to `inChannels`; `conv2dOutChannels` (default `outChannels`) is `conv2`'s output.
    ///   - tembChannels: width of the time embedding, `nil` for none.
    ///   - groups, groupsOut (default `groups`), eps: the two GroupNorms.
    ///   - useInShortcut: force (or suppress) `conv_shortcut`; by default present when input ≠ output channels.
    ///   - convShortcutBias: whether the 1×1 shortcut has a bias.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int? = nil, tembChannels: Int? = 512,
                groups: Int = 32, groupsOut: Int? = nil, eps: Float = 1e-6, activation: ActivationFunction = .silu,
                skipTimeAct: Bool = false, timeEmbeddingNorm: TimeEmbeddingNorm = .default, outputScaleFactor: Float = 1,
                useInShortcut: Bool? = nil, convShortcutBias: Bool = true,
                conv2dOutChannels: Int? = nil) throws(WeightsError) {
        let outChannels = outChannels ?? inChannels
        let finalChannels = conv2dOutChannels ?? outChannels
        norm1 = try GroupNorm(scope.scoped("norm1"), groups: groups, channels: inChannels, eps: eps)
        conv1 = try Conv2d(scope.scoped("conv1"), inChannels: inChannels, outChannels: outChannels, kernelSize: 3, padding: 1)
        if let tembChannels {
            let width = timeEmbeddingNorm == .scaleShift ? 2 * outChannels : outChannels
            timeEmbProj = try Linear(scope.scoped("time_emb_proj"), inFeatures: tembChannels, outFeatures: width)
        } else {
            timeEmbProj = nil
        }
        norm2 = try GroupNorm(scope.scoped("norm2"), groups: groupsOut ?? groups, channels: outChannels, eps: eps)
        conv2 = try Conv2d(scope.scoped("conv2"), inChannels: outChannels, outChannels: finalChannels, kernelSize: 3, padding: 1)
        if useInShortcut ?? (inChannels != finalChannels) {
            convShortcut = try Conv2d(scope.scoped("conv_shortcut"), inChannels: inChannels, outChannels: finalChannels,
                                      kernelSize: 1, bias: convShortcutBias)
        } else {
            convShortcut = nil
        }
        self.activation = activation
        self.timeEmbeddingNorm = timeEmbeddingNorm
        self.outputScaleFactor = outputScaleFactor
        self.skipTimeAct = skipTimeAct
    }

    /// `x` (B, inChannels, H, W), `temb` (B, tembChannels) or `nil` → (B, conv2dOutChannels, H, W).
    public func callAsFunction(_ x: Tensor, temb: Tensor? = nil) throws(TensorError) -> Tensor {
        var h = try normThenActivate(norm1, x)
        h = try conv1(h)
        var projected: Tensor?
        if let timeEmbProj, let temb {
            projected = try timeEmbProj(skipTimeAct ? temb : activation(temb))
        }
        switch timeEmbeddingNorm {
        case .default:
            if let projected { try LayerKernels.addPerChannel(&h, projected) }
            h = try normThenActivate(norm2, h)
        case .scaleShift:
            guard let projected else {
                throw .invalidArgument(op: "resnet_block_2d", reason: "scale_shift time-embedding norm needs a time embedding")
            }
            let halves = try projected.chunked(2, dimension: 1)
            h = try LayerKernels.scaleShiftPerChannel(norm2(h), scale: halves[0], shift: halves[1])
            h = activation(h)
        }
        h = try conv2(h)
        let shortcut = try convShortcut?.callAsFunction(x) ?? x
        return try LayerKernels.addResidual(h, shortcut, dividedBy: outputScaleFactor)
    }

    /// `act(norm(x))`, fused into one pass for SiLU.
    private func normThenActivate(_ norm: GroupNorm, _ x: Tensor) throws(TensorError) -> Tensor {
        activation.isSiLU ? try norm(x, fusedSiLU: true) : activation(try norm(x))
    }
}
