// The `config.json` of a DiffusionDet model folder (contract: Detection.docc/Detection.md). It carries the
// detectron2 config values of ShoufaChen/DiffusionDet @1efb36d (`configs/Base-DiffusionDet.yaml`,
// `diffusiondet/config.py`) that change inference, in snake_case.

import Foundation
import Weights

/// Everything needed to build and run a DiffusionDet detector (Chen et al. 2023, arXiv 2211.09788).
///
/// Decoding is strict: every key is required, unknown keys are rejected by name (a misspelt key must not
/// silently fall back to a default), and values that cannot describe a valid model are refused with the
/// offending dotted key (`head.num_heads`). Loading reports through `WeightsError.configurationInvalid`.
public struct DiffusionDetConfiguration: Sendable, Equatable, Decodable {
    /// detectron2 `build_resnet_backbone` options (`MODEL.RESNETS.*`).
    public struct Backbone: Sendable, Equatable, Decodable {
        /// 18, 34 (BasicBlock) or 50, 101, 152 (BottleneckBlock).
        public var depth: Int
        /// `MODEL.RESNETS.STEM_OUT_CHANNELS`.
        public var stemOutChannels: Int
        /// Output channels of res2; doubled at every later stage.
        public var res2OutChannels: Int
        /// Groups of the bottleneck 3×3 convolution (ResNeXt); 1 for BasicBlock.
        public var numGroups: Int
        /// Bottleneck width per group at res2.
        public var widthPerGroup: Int
        /// Whether the bottleneck's stride sits in its first 1×1 convolution (MSRA) or in the 3×3 (torchvision).
        public var strideIn1x1: Bool

        public init(depth: Int, stemOutChannels: Int, res2OutChannels: Int, numGroups: Int = 1,
                    widthPerGroup: Int = 64, strideIn1x1: Bool = false) {
            self.depth = depth
            self.stemOutChannels = stemOutChannels
            self.res2OutChannels = res2OutChannels
            self.numGroups = numGroups
            self.widthPerGroup = widthPerGroup
            self.strideIn1x1 = strideIn1x1
        }

        /// Blocks per stage res2…res5 (detectron2 `num_blocks_per_stage`).
        public var blocksPerStage: [Int] {
            switch depth {
            case 18: return [2, 2, 2, 2]
            case 34, 50: return [3, 4, 6, 3]
            case 101: return [3, 4, 23, 3]
            default: return [3, 8, 36, 3]
            }
        }

        /// Whether the stages are built from `BottleneckBlock`s (depth ≥ 50).
        public var usesBottleneck: Bool { depth >= 50 }

        /// Output channels of res2…res5.
        public var stageOutChannels: [Int] { (0..<4).map { res2OutChannels << $0 } }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case depth, stemOutChannels = "stem_out_channels", res2OutChannels = "res2_out_channels"
            case numGroups = "num_groups", widthPerGroup = "width_per_group", strideIn1x1 = "stride_in_1x1"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            depth = try c.decode(Int.self, forKey: .depth, where: { [18, 34, 50, 101, 152].contains($0) },
                                 "must be 18, 34, 50, 101 or 152")
            stemOutChannels = try c.decode(Int.self, forKey: .stemOutChannels, where: { $0 > 0 }, "must be positive")
            res2OutChannels = try c.decode(Int.self, forKey: .res2OutChannels, where: { $0 > 0 }, "must be positive")
            numGroups = try c.decode(Int.self, forKey: .numGroups, where: { $0 > 0 }, "must be positive")
            widthPerGroup = try c.decode(Int.self, forKey: .widthPerGroup, where: { $0 > 0 }, "must be positive")
            strideIn1x1 = try c.decode(Bool.self, forKey: .strideIn1x1)
            if depth < 50 && numGroups != 1 {
                throw DecodingError.dataCorruptedError(forKey: .numGroups, in: c,
                                                       debugDescription: "BasicBlock (depth \(depth)) needs num_groups 1")
            }
        }
    }

    /// detectron2 `FPN` (`MODEL.FPN.OUT_CHANNELS`; sum fuse, no norm).
    public struct FPN: Sendable, Equatable, Decodable {
        public var outChannels: Int

        public init(outChannels: Int) { self.outChannels = outChannels }

        enum CodingKeys: String, CodingKey, CaseIterable { case outChannels = "out_channels" }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            outChannels = try c.decode(Int.self, forKey: .outChannels, where: { $0 > 0 }, "must be positive")
        }
    }

    /// `DynamicHead` / `RCNNHead` / `DynamicConv` options (`MODEL.DiffusionDet.*`, `MODEL.ROI_BOX_HEAD.*`).
    public struct Head: Sendable, Equatable, Decodable {
        public var hiddenDim: Int
        public var numHeads: Int
        public var dimFeedforward: Int
        /// Number of `RCNNHead` stages (`NUM_HEADS` in the official config, 6).
        public var numStages: Int
        public var numCls: Int
        public var numReg: Int
        /// Dynamic parameter sets of `DynamicConv`; the official code uses exactly two.
        public var numDynamic: Int
        public var dimDynamic: Int
        public var poolerResolution: Int
        /// ROIAlignV2 samples per bin side (0 = adaptive).
        public var samplingRatio: Int

        public init(hiddenDim: Int, numHeads: Int, dimFeedforward: Int, numStages: Int, numCls: Int = 1,
                    numReg: Int = 3, numDynamic: Int = 2, dimDynamic: Int, poolerResolution: Int = 7,
                    samplingRatio: Int = 2) {
            self.hiddenDim = hiddenDim
            self.numHeads = numHeads
            self.dimFeedforward = dimFeedforward
            self.numStages = numStages
            self.numCls = numCls
            self.numReg = numReg
            self.numDynamic = numDynamic
            self.dimDynamic = dimDynamic
            self.poolerResolution = poolerResolution
            self.samplingRatio = samplingRatio
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case hiddenDim = "hidden_dim", numHeads = "num_heads", dimFeedforward = "dim_feedforward"
            case numStages = "num_stages", numCls = "num_cls", numReg = "num_reg", numDynamic = "num_dynamic"
            case dimDynamic = "dim_dynamic", poolerResolution = "pooler_resolution", samplingRatio = "sampling_ratio"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            hiddenDim = try c.decode(Int.self, forKey: .hiddenDim, where: { $0 > 0 && $0 % 2 == 0 },
                                     "must be positive and even (sin and cos halves of the time embedding)")
            numHeads = try c.decode(Int.self, forKey: .numHeads, where: { $0 > 0 }, "must be positive")
            guard hiddenDim % numHeads == 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .numHeads, in: c, debugDescription: "hidden_dim \(hiddenDim) is not divisible by num_heads \(numHeads)")
            }
            dimFeedforward = try c.decode(Int.self, forKey: .dimFeedforward, where: { $0 > 0 }, "must be positive")
            numStages = try c.decode(Int.self, forKey: .numStages, where: { $0 > 0 }, "must be positive")
            numCls = try c.decode(Int.self, forKey: .numCls, where: { $0 >= 0 }, "must not be negative")
            numReg = try c.decode(Int.self, forKey: .numReg, where: { $0 >= 0 }, "must not be negative")
            numDynamic = try c.decode(Int.self, forKey: .numDynamic, where: { $0 == 2 },
                                      "must be 2 (DynamicConv uses exactly two parameter sets)")
            dimDynamic = try c.decode(Int.self, forKey: .dimDynamic, where: { $0 > 0 }, "must be positive")
            poolerResolution = try c.decode(Int.self, forKey: .poolerResolution, where: { $0 > 0 }, "must be positive")
            samplingRatio = try c.decode(Int.self, forKey: .samplingRatio, where: { $0 >= 0 }, "must not be negative")
        }
    }

    /// Sampling options of `DiffusionDet.ddim_sample`, with the ensemble choice documented in the spec.
    public struct Diffusion: Sendable, Equatable, Decodable {
        /// T of the cosine schedule (1000).
        public var timesteps: Int
        /// Signal scale of the box space (`SNR_SCALE`, 2.0).
        public var snrScale: Double
        /// η of the DDIM update (1.0 in the official code).
        public var ddimEta: Double
        /// Boxes whose best class score is above this survive a step (0.5, hard-coded officially).
        public var renewalThreshold: Double
        /// IoU threshold of the class-wise NMS (0.5).
        public var nmsIoUThreshold: Double
        /// Whether the last step's detections join the ensemble (the official code drops them, issue #56).
        public var ensembleIncludesFinalStep: Bool

        public init(timesteps: Int = 1000, snrScale: Double = 2, ddimEta: Double = 1, renewalThreshold: Double = 0.5,
                    nmsIoUThreshold: Double = 0.5, ensembleIncludesFinalStep: Bool = true) {
            self.timesteps = timesteps
            self.snrScale = snrScale
            self.ddimEta = ddimEta
            self.renewalThreshold = renewalThreshold
            self.nmsIoUThreshold = nmsIoUThreshold
            self.ensembleIncludesFinalStep = ensembleIncludesFinalStep
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case timesteps, snrScale = "snr_scale", ddimEta = "ddim_eta", renewalThreshold = "renewal_threshold"
            case nmsIoUThreshold = "nms_iou_threshold", ensembleIncludesFinalStep = "ensemble_includes_final_step"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            timesteps = try c.decode(Int.self, forKey: .timesteps, where: { $0 >= 2 }, "must be at least 2")
            snrScale = try c.decode(Double.self, forKey: .snrScale, where: { $0 > 0 && $0.isFinite }, "must be positive")
            ddimEta = try c.decode(Double.self, forKey: .ddimEta, where: { $0 >= 0 && $0 <= 1 }, "must be in 0…1")
            renewalThreshold = try c.decode(Double.self, forKey: .renewalThreshold, where: { $0 >= 0 && $0 <= 1 },
                                            "must be in 0…1")
            nmsIoUThreshold = try c.decode(Double.self, forKey: .nmsIoUThreshold, where: { $0 >= 0 && $0 <= 1 },
                                           "must be in 0…1")
            ensembleIncludesFinalStep = try c.decode(Bool.self, forKey: .ensembleIncludesFinalStep)
        }
    }

    /// Request defaults the service applies when a request leaves them out.
    public struct Defaults: Sendable, Equatable, Decodable {
        public var steps: Int
        public var proposals: Int
        public var scoreThreshold: Double

        public init(steps: Int = 4, proposals: Int = 100, scoreThreshold: Double = 0.5) {
            self.steps = steps
            self.proposals = proposals
            self.scoreThreshold = scoreThreshold
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case steps, proposals, scoreThreshold = "score_threshold"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            steps = try c.decode(Int.self, forKey: .steps, where: { $0 > 0 }, "must be positive")
            proposals = try c.decode(Int.self, forKey: .proposals, where: { $0 > 0 }, "must be positive")
            scoreThreshold = try c.decode(Double.self, forKey: .scoreThreshold, where: { $0 >= 0 && $0 <= 1 },
                                          "must be in 0…1")
        }
    }

    /// detectron2 input options (`MODEL.PIXEL_MEAN/STD`, `INPUT.MIN/MAX_SIZE_TEST`, backbone size divisibility).
    public struct Input: Sendable, Equatable, Decodable {
        /// RGB means on the 0–255 scale.
        public var pixelMean: [Float]
        /// RGB standard deviations on the 0–255 scale.
        public var pixelStd: [Float]
        public var minSizeTest: Int
        public var maxSizeTest: Int
        /// Padded sizes are multiples of this (a multiple of 32, the res5 stride).
        public var sizeDivisibility: Int

        public init(pixelMean: [Float] = [123.675, 116.28, 103.53], pixelStd: [Float] = [58.395, 57.12, 57.375],
                    minSizeTest: Int = 800, maxSizeTest: Int = 1333, sizeDivisibility: Int = 32) {
            self.pixelMean = pixelMean
            self.pixelStd = pixelStd
            self.minSizeTest = minSizeTest
            self.maxSizeTest = maxSizeTest
            self.sizeDivisibility = sizeDivisibility
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case pixelMean = "pixel_mean", pixelStd = "pixel_std", minSizeTest = "min_size_test"
            case maxSizeTest = "max_size_test", sizeDivisibility = "size_divisibility"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            pixelMean = try c.decode([Float].self, forKey: .pixelMean, where: { $0.count == 3 && $0.allSatisfy(\.isFinite) },
                                     "must hold 3 finite values (R, G, B)")
            pixelStd = try c.decode([Float].self, forKey: .pixelStd, where: { $0.count == 3 && $0.allSatisfy { $0 > 0 && $0.isFinite } },
                                    "must hold 3 positive values (R, G, B)")
            minSizeTest = try c.decode(Int.self, forKey: .minSizeTest, where: { $0 > 0 }, "must be positive")
            maxSizeTest = try c.decode(Int.self, forKey: .maxSizeTest, where: { $0 > 0 }, "must be positive")
            guard maxSizeTest >= minSizeTest else {
                throw DecodingError.dataCorruptedError(forKey: .maxSizeTest, in: c,
                                                       debugDescription: "must be at least min_size_test \(minSizeTest)")
            }
            sizeDivisibility = try c.decode(Int.self, forKey: .sizeDivisibility, where: { $0 > 0 && $0 % 32 == 0 },
                                            "must be a positive multiple of 32 (the res5 stride)")
        }
    }

    /// Always "DiffusionDet".
    public var architecture: String
    /// Class index i ↔ `classNames[i]`.
    public var classNames: [String]
    public var backbone: Backbone
    public var fpn: FPN
    public var head: Head
    public var diffusion: Diffusion
    public var defaults: Defaults
    public var input: Input

    /// Number of classes K.
    public var classCount: Int { classNames.count }

    public init(classNames: [String], backbone: Backbone, fpn: FPN, head: Head, diffusion: Diffusion = Diffusion(),
                defaults: Defaults = Defaults(), input: Input = Input()) {
        architecture = "DiffusionDet"
        self.classNames = classNames
        self.backbone = backbone
        self.fpn = fpn
        self.head = head
        self.diffusion = diffusion
        self.defaults = defaults
        self.input = input
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case architecture, classNames = "class_names", backbone, fpn, head, diffusion, defaults, input
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        architecture = try c.decode(String.self, forKey: .architecture, where: { $0 == "DiffusionDet" },
                                    "must be \"DiffusionDet\"")
        classNames = try c.decode([String].self, forKey: .classNames, where: { !$0.isEmpty }, "must name at least one class")
        backbone = try c.decode(Backbone.self, forKey: .backbone)
        fpn = try c.decode(FPN.self, forKey: .fpn)
        head = try c.decode(Head.self, forKey: .head)
        guard fpn.outChannels == head.hiddenDim else {
            throw DecodingError.dataCorruptedError(
                forKey: .fpn, in: c,
                debugDescription: "fpn.out_channels \(fpn.outChannels) must equal head.hidden_dim \(head.hiddenDim)")
        }
        diffusion = try c.decode(Diffusion.self, forKey: .diffusion)
        defaults = try c.decode(Defaults.self, forKey: .defaults)
        input = try c.decode(Input.self, forKey: .input)
    }

    /// Reads `config.json` (or `fileName`) in `directory`.
    public static func load(fromDirectory directory: URL,
                            fileName: String = ModelConfiguration.defaultFileName) throws(WeightsError) -> Self {
        try ModelConfiguration.decode(Self.self, fromDirectory: directory, fileName: fileName)
    }

    /// Decodes JSON bytes; `path` only labels errors.
    public static func decode(_ data: Data, path: String = "config.json") throws(WeightsError) -> Self {
        try ModelConfiguration.decode(Self.self, from: data, path: path)
    }
}
