// Follows the constructor arguments of diffusers `UNet2DConditionModel`
// (src/diffusers/models/unets/unet_2d_condition.py @ v0.35.2), as saved in a diffusers `unet/config.json`.

import Layers

extension UNet2DConditionModel {
    /// The settings of one entry of `down_blocks` (and, mirrored, of the up block at the same depth), after
    /// diffusers' "int or per-block list" normalisation.
    public struct Block: Sendable, Equatable {
        /// `down_block_types[i]`.
        public var downBlockType: UNetDownBlock.Kind
        /// `block_out_channels[i]`.
        public var outChannels: Int
        /// `layers_per_block[i]` (the matching up block has one ResNet more).
        public var layersPerBlock: Int
        /// Attention heads of the block's transformers: `num_attention_heads[i]` when given, else
        /// `attention_head_dim[i]` (diffusers' historical naming: SD's `attention_head_dim: 8` means 8 heads).
        public var attentionHeads: Int
        /// `cross_attention_dim[i]`.
        public var crossAttentionDim: Int
        /// `transformer_layers_per_block[i]`: transformer depth of each `Transformer2DModel` in the block.
        public var transformerLayers: Int
        /// `only_cross_attention[i]`.
        public var onlyCrossAttention: Bool

        public init(downBlockType: UNetDownBlock.Kind, outChannels: Int, layersPerBlock: Int = 2, attentionHeads: Int = 8,
                    crossAttentionDim: Int = 768, transformerLayers: Int = 1, onlyCrossAttention: Bool = false) {
            self.downBlockType = downBlockType
            self.outChannels = outChannels
            self.layersPerBlock = layersPerBlock
            self.attentionHeads = attentionHeads
            self.crossAttentionDim = crossAttentionDim
            self.transformerLayers = transformerLayers
            self.onlyCrossAttention = onlyCrossAttention
        }
    }

    /// The fields of a diffusers `UNet2DConditionModel` `config.json` this implementation supports.
    ///
    /// Decoding accepts diffusers' spellings (snake_case keys; `attention_head_dim`, `num_attention_heads`,
    /// `cross_attention_dim`, `layers_per_block`, `transformer_layers_per_block` and `only_cross_attention` as one
    /// value or one per block) and refuses every option the model does not implement — `class_embed_type`,
    /// `addition_embed_type`, `encoder_hid_dim`, `time_cond_proj_dim`, Fourier time embeddings, other mid-block or
    /// block types, `dual_cross_attention`, GLIGEN attention, `resnet_skip_time_act`, … — with one
    /// `WeightsError.configurationInvalid` whose key is the first refused option and whose reason lists them all
    /// (through `ModelConfiguration.decode`). Keys that only matter for training or other pipelines
    /// (`dropout`, `sample_size`, `force_upcast`, `_class_name`) are read or skipped without effect.
    public struct Configuration: Sendable, Equatable, Decodable {
        /// `sample_size` as (height, width) in latent pixels, if given (informational).
        public var sampleSize: (height: Int, width: Int)?
        public var inChannels: Int
        public var outChannels: Int
        /// `center_input_sample`: the input is mapped `x → 2x − 1` first.
        public var centerInputSample: Bool
        /// `flip_sin_to_cos` of the sinusoidal time projection.
        public var flipSinToCos: Bool
        /// `freq_shift` of the sinusoidal time projection.
        public var freqShift: Float
        /// One entry per down block, in `down_blocks` order.
        public var blocks: [Block]
        /// `up_block_types`, in `up_blocks` order (deepest first).
        public var upBlockTypes: [UNetUpBlock.Kind]
        /// `downsample_padding`.
        public var downsamplePadding: Int
        /// `mid_block_scale_factor` (the mid block's ResNet output scale).
        public var midBlockScaleFactor: Float
        /// `act_fn`.
        public var activation: ActivationFunction
        /// `norm_num_groups`.
        public var normNumGroups: Int
        /// `norm_eps`.
        public var normEps: Float
        /// `use_linear_projection`.
        public var useLinearProjection: Bool
        /// `upcast_attention` (no effect: all arithmetic is Float32).
        public var upcastAttention: Bool
        /// `resnet_time_scale_shift` (`default` or `scale_shift`).
        public var resnetTimeScaleShift: TimeEmbeddingNorm
        /// `time_embedding_dim` (default: 4 × `block_out_channels[0]`).
        public var timeEmbeddingDim: Int?
        /// `time_embedding_act_fn`, applied to the time embedding before the blocks.
        public var timeEmbeddingActivation: ActivationFunction?
        /// `timestep_post_act`, the time embedding's post-activation.
        public var timestepPostActivation: ActivationFunction?
        /// `conv_in_kernel` (odd).
        public var convInKernel: Int
        /// `conv_out_kernel` (odd).
        public var convOutKernel: Int

        /// The block widths, `block_out_channels`.
        public var blockOutChannels: [Int] { blocks.map(\.outChannels) }
        /// Width of the time embedding fed to every ResNet.
        public var timeEmbedDim: Int { timeEmbeddingDim ?? 4 * (blocks.first?.outChannels ?? 0) }
        /// How many up blocks end in an upsampler (all but the last).
        public var upsamplerCount: Int { max(blocks.count - 1, 0) }

        /// A configuration with diffusers' defaults (SD-1.x: 320/640/1280/1280, 2 layers, 8 heads, context 768) for
        /// everything not given.
        public init(inChannels: Int = 4, outChannels: Int = 4, blocks: [Block], upBlockTypes: [UNetUpBlock.Kind],
                    centerInputSample: Bool = false, flipSinToCos: Bool = true, freqShift: Float = 0,
                    downsamplePadding: Int = 1, midBlockScaleFactor: Float = 1, activation: ActivationFunction = .silu,
                    normNumGroups: Int = 32, normEps: Float = 1e-5, useLinearProjection: Bool = false,
                    upcastAttention: Bool = false, resnetTimeScaleShift: TimeEmbeddingNorm = .default,
                    timeEmbeddingDim: Int? = nil, timeEmbeddingActivation: ActivationFunction? = nil,
                    timestepPostActivation: ActivationFunction? = nil, convInKernel: Int = 3, convOutKernel: Int = 3,
                    sampleSize: (height: Int, width: Int)? = nil) {
            self.sampleSize = sampleSize
            self.inChannels = inChannels
            self.outChannels = outChannels
            self.centerInputSample = centerInputSample
            self.flipSinToCos = flipSinToCos
            self.freqShift = freqShift
            self.blocks = blocks
            self.upBlockTypes = upBlockTypes
            self.downsamplePadding = downsamplePadding
            self.midBlockScaleFactor = midBlockScaleFactor
            self.activation = activation
            self.normNumGroups = normNumGroups
            self.normEps = normEps
            self.useLinearProjection = useLinearProjection
            self.upcastAttention = upcastAttention
            self.resnetTimeScaleShift = resnetTimeScaleShift
            self.timeEmbeddingDim = timeEmbeddingDim
            self.timeEmbeddingActivation = timeEmbeddingActivation
            self.timestepPostActivation = timestepPostActivation
            self.convInKernel = convInKernel
            self.convOutKernel = convOutKernel
        }

        /// Stable Diffusion 1.x (`runwayml/stable-diffusion-v1-5`, `unet/config.json`).
        public static let sd15 = Configuration(
            blocks: [320, 640, 1280, 1280].enumerated().map { index, channels in
                Block(downBlockType: index < 3 ? .crossAttnDownBlock2D : .downBlock2D, outChannels: channels)
            },
            upBlockTypes: [.upBlock2D, .crossAttnUpBlock2D, .crossAttnUpBlock2D, .crossAttnUpBlock2D],
            sampleSize: (64, 64))

        /// Stable Diffusion 2.x (`stabilityai/stable-diffusion-2-1`, `unet/config.json`): head counts 5/10/20/20,
        /// context 1024, linear projections, upcast attention.
        public static let sd21 = Configuration(
            blocks: zip([320, 640, 1280, 1280], [5, 10, 20, 20]).enumerated().map { index, pair in
                Block(downBlockType: index < 3 ? .crossAttnDownBlock2D : .downBlock2D, outChannels: pair.0,
                      attentionHeads: pair.1, crossAttentionDim: 1024)
            },
            upBlockTypes: [.upBlock2D, .crossAttnUpBlock2D, .crossAttnUpBlock2D, .crossAttnUpBlock2D],
            useLinearProjection: true, upcastAttention: true, sampleSize: (96, 96))

        public static func == (lhs: Configuration, rhs: Configuration) -> Bool {
            lhs.sampleSize?.height == rhs.sampleSize?.height && lhs.sampleSize?.width == rhs.sampleSize?.width
                && lhs.inChannels == rhs.inChannels && lhs.outChannels == rhs.outChannels
                && lhs.centerInputSample == rhs.centerInputSample && lhs.flipSinToCos == rhs.flipSinToCos
                && lhs.freqShift == rhs.freqShift && lhs.blocks == rhs.blocks && lhs.upBlockTypes == rhs.upBlockTypes
                && lhs.downsamplePadding == rhs.downsamplePadding && lhs.midBlockScaleFactor == rhs.midBlockScaleFactor
                && lhs.activation == rhs.activation && lhs.normNumGroups == rhs.normNumGroups
                && lhs.normEps == rhs.normEps && lhs.useLinearProjection == rhs.useLinearProjection
                && lhs.upcastAttention == rhs.upcastAttention && lhs.resnetTimeScaleShift == rhs.resnetTimeScaleShift
                && lhs.timeEmbeddingDim == rhs.timeEmbeddingDim
                && lhs.timeEmbeddingActivation == rhs.timeEmbeddingActivation
                && lhs.timestepPostActivation == rhs.timestepPostActivation
                && lhs.convInKernel == rhs.convInKernel && lhs.convOutKernel == rhs.convOutKernel
        }

        enum CodingKeys: String, CodingKey {
            case sampleSize = "sample_size", inChannels = "in_channels", outChannels = "out_channels"
            case centerInputSample = "center_input_sample", flipSinToCos = "flip_sin_to_cos", freqShift = "freq_shift"
            case downBlockTypes = "down_block_types", midBlockType = "mid_block_type", upBlockTypes = "up_block_types"
            case onlyCrossAttention = "only_cross_attention", blockOutChannels = "block_out_channels"
            case layersPerBlock = "layers_per_block", downsamplePadding = "downsample_padding"
            case midBlockScaleFactor = "mid_block_scale_factor", actFn = "act_fn", normNumGroups = "norm_num_groups"
            case normEps = "norm_eps", crossAttentionDim = "cross_attention_dim"
            case transformerLayersPerBlock = "transformer_layers_per_block", attentionHeadDim = "attention_head_dim"
            case numAttentionHeads = "num_attention_heads", useLinearProjection = "use_linear_projection"
            case upcastAttention = "upcast_attention", resnetTimeScaleShift = "resnet_time_scale_shift"
            case timeEmbeddingType = "time_embedding_type", timeEmbeddingDim = "time_embedding_dim"
            case timeEmbeddingActFn = "time_embedding_act_fn", timestepPostAct = "timestep_post_act"
            case convInKernel = "conv_in_kernel", convOutKernel = "conv_out_kernel"
        }

        public init(from decoder: any Decoder) throws {
            // Options the model does not implement: collected first, so one error names all of them.
            var refused = try UnsupportedOptionCollector(decoder)
            for key in ["class_embed_type", "addition_embed_type", "encoder_hid_dim", "encoder_hid_dim_type",
                        "num_class_embeds", "time_cond_proj_dim", "cross_attention_norm",
                        "reverse_transformer_layers_per_block"] {
                refused.requireNull(key)
            }
            refused.allow("time_embedding_type", String.self, only: "positional", supported: "\"positional\"")
            refused.allow("mid_block_type", String.self, only: "UNetMidBlock2DCrossAttn",
                          supported: "\"UNetMidBlock2DCrossAttn\"")
            refused.allow("dual_cross_attention", Bool.self, only: false, supported: "false")
            refused.allow("class_embeddings_concat", Bool.self, only: false, supported: "false")
            refused.allow("attention_type", String.self, only: "default", supported: "\"default\"")
            refused.allow("resnet_skip_time_act", Bool.self, only: false, supported: "false")
            refused.allow("resnet_out_scale_factor", Double.self, only: 1, supported: "1.0")
            refused.allow("resnet_time_scale_shift", String.self, only: nil, supported: "\"default\", \"scale_shift\"")
            if let shift = try? refused.container.decode(String.self, forKey: AnyCodingKey("resnet_time_scale_shift")),
               TimeEmbeddingNorm(rawValue: shift) != nil {
                refused.found.removeAll { $0.key == "resnet_time_scale_shift" }
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let downNames = try c.decodeIfPresent([String].self, forKey: .downBlockTypes)
                ?? ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]
            let upNames = try c.decodeIfPresent([String].self, forKey: .upBlockTypes)
                ?? ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]
            let downKinds = downNames.map { UNetDownBlock.Kind(rawValue: $0) }
            let upKinds = upNames.map { UNetUpBlock.Kind(rawValue: $0) }
            for (name, kind) in zip(downNames, downKinds) where kind == nil {
                refused.refuse("down_block_types", value: "\"\(name)\"", supported: "\"DownBlock2D\", \"CrossAttnDownBlock2D\"")
            }
            for (name, kind) in zip(upNames, upKinds) where kind == nil {
                refused.refuse("up_block_types", value: "\"\(name)\"", supported: "\"UpBlock2D\", \"CrossAttnUpBlock2D\"")
            }
            for (key, name) in [(CodingKeys.actFn, "act_fn"), (.timeEmbeddingActFn, "time_embedding_act_fn"),
                                (.timestepPostAct, "timestep_post_act")] {
                if let value = try c.decodeIfPresent(String.self, forKey: key), ActivationFunction(rawValue: value) == nil {
                    refused.refuse(name, value: "\"\(value)\"", supported: ActivationFunction.allCases.map(\.rawValue).joined(separator: ", "))
                }
            }
            if c.contains(.normNumGroups), try c.decodeNil(forKey: .normNumGroups) {
                refused.refuse("norm_num_groups", value: "null", supported: "a group count")
            }
            let transformerLayers: ScalarOrList<Int>
            do {
                transformerLayers = try c.decodeIfPresent(ScalarOrList<Int>.self, forKey: .transformerLayersPerBlock) ?? .scalar(1)
            } catch {
                refused.refuse("transformer_layers_per_block", value: "nested lists",
                               supported: "one depth, or one depth per block")
                transformerLayers = .scalar(1)
            }
            try refused.throwIfAny(model: "UNet2DConditionModel")

            // Supported options, normalised to one value per block.
            let count = downNames.count
            guard upNames.count == count else {
                throw invalidConfiguration("up_block_types", "\(upNames.count) up blocks for \(count) down blocks")
            }
            let channels = try c.decodeIfPresent([Int].self, forKey: .blockOutChannels) ?? [320, 640, 1280, 1280]
            guard channels.count == count, count > 0 else {
                throw invalidConfiguration("block_out_channels", "\(channels.count) widths for \(count) down blocks")
            }
            func perBlock<T>(_ key: CodingKeys, _ value: ScalarOrList<T>) throws -> [T] {
                guard let values = value.perBlock(count) else {
                    throw invalidConfiguration(key.rawValue, "needs one value or \(count) (one per down block)")
                }
                return values
            }
            let layers = try perBlock(.layersPerBlock, try c.decodeIfPresent(ScalarOrList<Int>.self, forKey: .layersPerBlock) ?? .scalar(2))
            let headDims = try perBlock(.attentionHeadDim,
                                        try c.decodeIfPresent(ScalarOrList<Int>.self, forKey: .attentionHeadDim) ?? .scalar(8))
            let heads = try c.decodeIfPresent(ScalarOrList<Int>.self, forKey: .numAttentionHeads)
                .map { value throws in try perBlock(.numAttentionHeads, value) } ?? headDims
            let contexts = try perBlock(.crossAttentionDim,
                                        try c.decodeIfPresent(ScalarOrList<Int>.self, forKey: .crossAttentionDim) ?? .scalar(1280))
            let depths = try perBlock(.transformerLayersPerBlock, transformerLayers)
            let onlyCross = try perBlock(.onlyCrossAttention,
                                         try c.decodeIfPresent(ScalarOrList<Bool>.self, forKey: .onlyCrossAttention) ?? .scalar(false))
            blocks = (0..<count).compactMap { index in
                downKinds[index].map { kind in
                    Block(downBlockType: kind, outChannels: channels[index], layersPerBlock: layers[index],
                          attentionHeads: heads[index], crossAttentionDim: contexts[index],
                          transformerLayers: depths[index], onlyCrossAttention: onlyCross[index])
                }
            }
            upBlockTypes = upKinds.compactMap { $0 }

            switch try c.decodeIfPresent(ScalarOrList<Int>.self, forKey: .sampleSize) {
            case .scalar(let side): sampleSize = (side, side)
            case .list(let sides) where sides.count == 2: sampleSize = (sides[0], sides[1])
            case .list: throw invalidConfiguration("sample_size", "expected one size or (height, width)")
            case nil: sampleSize = nil
            }
            inChannels = try c.decodeIfPresent(Int.self, forKey: .inChannels) ?? 4
            outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels) ?? 4
            centerInputSample = try c.decodeIfPresent(Bool.self, forKey: .centerInputSample) ?? false
            flipSinToCos = try c.decodeIfPresent(Bool.self, forKey: .flipSinToCos) ?? true
            freqShift = try c.decodeIfPresent(Float.self, forKey: .freqShift) ?? 0
            downsamplePadding = try c.decodeIfPresent(Int.self, forKey: .downsamplePadding) ?? 1
            midBlockScaleFactor = try c.decodeIfPresent(Float.self, forKey: .midBlockScaleFactor) ?? 1
            activation = try c.decodeIfPresent(String.self, forKey: .actFn).flatMap(ActivationFunction.init(rawValue:)) ?? .silu
            normNumGroups = try c.decodeIfPresent(Int.self, forKey: .normNumGroups) ?? 32
            normEps = try c.decodeIfPresent(Float.self, forKey: .normEps) ?? 1e-5
            useLinearProjection = try c.decodeIfPresent(Bool.self, forKey: .useLinearProjection) ?? false
            upcastAttention = try c.decodeIfPresent(Bool.self, forKey: .upcastAttention) ?? false
            resnetTimeScaleShift = try c.decodeIfPresent(String.self, forKey: .resnetTimeScaleShift)
                .flatMap(TimeEmbeddingNorm.init(rawValue:)) ?? .default
            timeEmbeddingDim = try c.decodeIfPresent(Int.self, forKey: .timeEmbeddingDim)
            timeEmbeddingActivation = try c.decodeIfPresent(String.self, forKey: .timeEmbeddingActFn)
                .flatMap(ActivationFunction.init(rawValue:))
            timestepPostActivation = try c.decodeIfPresent(String.self, forKey: .timestepPostAct)
                .flatMap(ActivationFunction.init(rawValue:))
            convInKernel = try c.decodeIfPresent(Int.self, forKey: .convInKernel) ?? 3
            convOutKernel = try c.decodeIfPresent(Int.self, forKey: .convOutKernel) ?? 3
            for (key, kernel) in [("conv_in_kernel", convInKernel), ("conv_out_kernel", convOutKernel)]
            where kernel < 1 || kernel % 2 == 0 {
                throw invalidConfiguration(key, "kernel \(kernel) must be odd and positive")
            }
        }
    }
}
