// Follows the constructor arguments of diffusers `AutoencoderKL`
// (src/diffusers/models/autoencoders/autoencoder_kl.py @ v0.35.2), as saved in a diffusers `vae/config.json`.

import Layers

extension AutoencoderKL {
    /// The fields of a diffusers `AutoencoderKL` `config.json` this implementation supports.
    ///
    /// Block types other than `DownEncoderBlock2D`/`UpDecoderBlock2D` and activations other than diffusers'
    /// `get_activation` names are refused by name (`WeightsError.configurationInvalid` through
    /// `ModelConfiguration.decode`). `force_upcast` is read and ignored (all arithmetic is Float32).
    public struct Configuration: Sendable, Equatable, Decodable {
        public var inChannels: Int
        public var outChannels: Int
        /// `block_out_channels` (encoder order; the decoder runs them reversed).
        public var blockOutChannels: [Int]
        /// `layers_per_block` (the decoder's blocks have one ResNet more).
        public var layersPerBlock: Int
        /// `act_fn` of the ResNets (the output activations are always SiLU, as in diffusers).
        public var activation: ActivationFunction
        public var latentChannels: Int
        public var normNumGroups: Int
        /// `sample_size` in image pixels (informational; used by diffusers for tiling only).
        public var sampleSize: Int
        /// `scaling_factor`: the pipeline multiplies encoder latents by it and divides before decoding.
        public var scalingFactor: Float
        /// `shift_factor` (SD 3 / Flux style; `nil` for SD 1.x/2.x): subtracted before scaling by the pipeline.
        public var shiftFactor: Float?
        /// `latents_mean` / `latents_std` (SDXL-style per-channel normalisation; `nil` for SD 1.x/2.x).
        public var latentsMean: [Float]?
        public var latentsStd: [Float]?
        /// `use_quant_conv`: a 1×1 `quant_conv` after the encoder.
        public var useQuantConv: Bool
        /// `use_post_quant_conv`: a 1×1 `post_quant_conv` before the decoder.
        public var usePostQuantConv: Bool
        /// `mid_block_add_attention`.
        public var midBlockAddAttention: Bool

        /// A configuration with diffusers' defaults for everything not given (the SD VAE is ``sd``).
        public init(inChannels: Int = 3, outChannels: Int = 3, blockOutChannels: [Int] = [64], layersPerBlock: Int = 1,
                    activation: ActivationFunction = .silu, latentChannels: Int = 4, normNumGroups: Int = 32,
                    sampleSize: Int = 32, scalingFactor: Float = 0.18215, shiftFactor: Float? = nil,
                    latentsMean: [Float]? = nil, latentsStd: [Float]? = nil, useQuantConv: Bool = true,
                    usePostQuantConv: Bool = true, midBlockAddAttention: Bool = true) {
            self.inChannels = inChannels
            self.outChannels = outChannels
            self.blockOutChannels = blockOutChannels
            self.layersPerBlock = layersPerBlock
            self.activation = activation
            self.latentChannels = latentChannels
            self.normNumGroups = normNumGroups
            self.sampleSize = sampleSize
            self.scalingFactor = scalingFactor
            self.shiftFactor = shiftFactor
            self.latentsMean = latentsMean
            self.latentsStd = latentsStd
            self.useQuantConv = useQuantConv
            self.usePostQuantConv = usePostQuantConv
            self.midBlockAddAttention = midBlockAddAttention
        }

        /// The Stable Diffusion 1.x/2.x VAE (`runwayml/stable-diffusion-v1-5`, `vae/config.json`).
        public static let sd = Configuration(blockOutChannels: [128, 256, 512, 512], layersPerBlock: 2, sampleSize: 512)

        /// How many times the encoder halves the image (and the decoder doubles the latents).
        public var downsamplingFactor: Int { 1 << max(blockOutChannels.count - 1, 0) }

        enum CodingKeys: String, CodingKey {
            case inChannels = "in_channels", outChannels = "out_channels", downBlockTypes = "down_block_types"
            case upBlockTypes = "up_block_types", blockOutChannels = "block_out_channels"
            case layersPerBlock = "layers_per_block", actFn = "act_fn", latentChannels = "latent_channels"
            case normNumGroups = "norm_num_groups", sampleSize = "sample_size", scalingFactor = "scaling_factor"
            case shiftFactor = "shift_factor", latentsMean = "latents_mean", latentsStd = "latents_std"
            case useQuantConv = "use_quant_conv", usePostQuantConv = "use_post_quant_conv"
            case midBlockAddAttention = "mid_block_add_attention"
        }

        public init(from decoder: any Decoder) throws {
            var refused = try UnsupportedOptionCollector(decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Configuration()
            blockOutChannels = try c.decodeIfPresent([Int].self, forKey: .blockOutChannels) ?? defaults.blockOutChannels
            let downNames = try c.decodeIfPresent([String].self, forKey: .downBlockTypes) ?? ["DownEncoderBlock2D"]
            let upNames = try c.decodeIfPresent([String].self, forKey: .upBlockTypes) ?? ["UpDecoderBlock2D"]
            for name in downNames where name != "DownEncoderBlock2D" {
                refused.refuse("down_block_types", value: "\"\(name)\"", supported: "\"DownEncoderBlock2D\"")
            }
            for name in upNames where name != "UpDecoderBlock2D" {
                refused.refuse("up_block_types", value: "\"\(name)\"", supported: "\"UpDecoderBlock2D\"")
            }
            let actName = try c.decodeIfPresent(String.self, forKey: .actFn) ?? "silu"
            if ActivationFunction(rawValue: actName) == nil {
                refused.refuse("act_fn", value: "\"\(actName)\"",
                               supported: ActivationFunction.allCases.map(\.rawValue).joined(separator: ", "))
            }
            try refused.throwIfAny(model: "AutoencoderKL")
            guard !blockOutChannels.isEmpty, downNames.count == blockOutChannels.count,
                  upNames.count == blockOutChannels.count else {
                throw invalidConfiguration("block_out_channels", "\(blockOutChannels.count) widths for \(downNames.count) "
                                           + "down and \(upNames.count) up blocks")
            }
            activation = ActivationFunction(rawValue: actName) ?? .silu
            inChannels = try c.decodeIfPresent(Int.self, forKey: .inChannels) ?? defaults.inChannels
            outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels) ?? defaults.outChannels
            layersPerBlock = try c.decodeIfPresent(Int.self, forKey: .layersPerBlock) ?? defaults.layersPerBlock
            latentChannels = try c.decodeIfPresent(Int.self, forKey: .latentChannels) ?? defaults.latentChannels
            normNumGroups = try c.decodeIfPresent(Int.self, forKey: .normNumGroups) ?? defaults.normNumGroups
            switch try c.decodeIfPresent(ScalarOrList<Int>.self, forKey: .sampleSize) {
            case .scalar(let side): sampleSize = side
            case .list(let sides): sampleSize = sides.first ?? defaults.sampleSize
            case nil: sampleSize = defaults.sampleSize
            }
            scalingFactor = try c.decodeIfPresent(Float.self, forKey: .scalingFactor) ?? defaults.scalingFactor
            shiftFactor = try c.decodeIfPresent(Float.self, forKey: .shiftFactor)
            latentsMean = try c.decodeIfPresent([Float].self, forKey: .latentsMean)
            latentsStd = try c.decodeIfPresent([Float].self, forKey: .latentsStd)
            useQuantConv = try c.decodeIfPresent(Bool.self, forKey: .useQuantConv) ?? true
            usePostQuantConv = try c.decodeIfPresent(Bool.self, forKey: .usePostQuantConv) ?? true
            midBlockAddAttention = try c.decodeIfPresent(Bool.self, forKey: .midBlockAddAttention) ?? true
        }
    }
}
