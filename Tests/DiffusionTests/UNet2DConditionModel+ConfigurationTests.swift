import Foundation
import Testing
import Weights
@testable import Diffusion

@Suite struct UNet2DConditionModelConfigurationTests {
    @Test func decodesTheSD2StyleFixtureIntoPerBlockValues() throws {
        let configuration = try ModelConfiguration.decode(UNet2DConditionModel.Configuration.self,
                                                          fromDirectory: SDModelFixtures.component("tiny-sd2", "unet"))
        #expect(configuration.blockOutChannels == [16, 32, 32])
        #expect(configuration.blocks.map(\.attentionHeads) == [2, 4, 4])
        #expect(configuration.blocks.map(\.transformerLayers) == [1, 2, 1])
        #expect(configuration.blocks.map(\.onlyCrossAttention) == [false, true, false])
        #expect(configuration.blocks.map(\.crossAttentionDim) == [24, 24, 24])
        #expect(configuration.blocks.map(\.layersPerBlock) == [1, 1, 1])
        #expect(configuration.blocks.map(\.downBlockType.rawValue) == ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"])
        #expect(configuration.upBlockTypes.map(\.rawValue) == ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"])
        #expect(configuration.useLinearProjection && configuration.upcastAttention)
        #expect(!configuration.flipSinToCos && configuration.freqShift == 1)
        #expect(configuration.normNumGroups == 8 && configuration.normEps == 1e-5)
        #expect(configuration.sampleSize?.height == 10 && configuration.sampleSize?.width == 14)
        #expect(configuration.timeEmbedDim == 64 && configuration.upsamplerCount == 2)
    }

    @Test func decodesTheOptionsFixture() throws {
        let configuration = try ModelConfiguration.decode(UNet2DConditionModel.Configuration.self,
                                                          fromDirectory: SDModelFixtures.component("tiny-options", "unet"))
        #expect(configuration.resnetTimeScaleShift == .scaleShift && configuration.activation == .mish)
        #expect(configuration.centerInputSample && configuration.timeEmbedDim == 48)
        #expect(configuration.timeEmbeddingActivation == .silu && configuration.timestepPostActivation == .gelu)
        #expect(configuration.convInKernel == 5 && configuration.convOutKernel == 1)
        #expect(configuration.midBlockScaleFactor == 1.414 && configuration.downsamplePadding == 0)
        #expect(configuration.blocks.map(\.layersPerBlock) == [1, 2])
        #expect(configuration.blocks.map(\.crossAttentionDim) == [12, 12])
    }

    @Test func listsOverrideScalarsAndNumAttentionHeadsWins() throws {
        let configuration = try decodeConfiguration(UNet2DConditionModel.Configuration.self, """
            {"block_out_channels": [32, 64], "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
             "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"], "layers_per_block": [1, 2],
             "attention_head_dim": 8, "num_attention_heads": [2, 4], "cross_attention_dim": [16, 24],
             "only_cross_attention": true, "sample_size": 16}
            """)
        #expect(configuration.blocks.map(\.layersPerBlock) == [1, 2])
        #expect(configuration.blocks.map(\.attentionHeads) == [2, 4])
        #expect(configuration.blocks.map(\.crossAttentionDim) == [16, 24])
        #expect(configuration.blocks.map(\.onlyCrossAttention) == [true, true])
        #expect(configuration.sampleSize?.height == 16 && configuration.sampleSize?.width == 16)
    }

    @Test func defaultsAreSD15() throws {
        let configuration = try decodeConfiguration(UNet2DConditionModel.Configuration.self,
                                                    #"{"cross_attention_dim": 768, "sample_size": 64}"#)
        #expect(configuration == .sd15)
    }

    /// `stabilityai/stable-diffusion-2-1` `unet/config.json` (diffusers 0.10 era keys).
    @Test func decodesSD21() throws {
        let configuration = try decodeConfiguration(UNet2DConditionModel.Configuration.self, """
            {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.10.0.dev0", "act_fn": "silu",
             "attention_head_dim": [5, 10, 20, 20], "block_out_channels": [320, 640, 1280, 1280],
             "center_input_sample": false, "cross_attention_dim": 1024,
             "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
             "downsample_padding": 1, "dual_cross_attention": false, "flip_sin_to_cos": true, "freq_shift": 0,
             "in_channels": 4, "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-05,
             "norm_num_groups": 32, "num_class_embeds": null, "only_cross_attention": false, "out_channels": 4,
             "sample_size": 96,
             "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
             "use_linear_projection": true, "upcast_attention": true}
            """)
        #expect(configuration == .sd21)
    }

    /// The negative test of issue 6: unsupported options are refused by name, all of them in one error.
    @Test func refusesUnsupportedOptionsByName() throws {
        let error = #expect(throws: WeightsError.self) {
            try decodeConfiguration(UNet2DConditionModel.Configuration.self, """
                {"class_embed_type": "projection", "addition_embed_type": "text_time", "time_cond_proj_dim": 256,
                 "mid_block_type": "UNetMidBlock2DSimpleCrossAttn", "resnet_time_scale_shift": "spatial",
                 "time_embedding_type": "fourier", "encoder_hid_dim": 1024, "dual_cross_attention": true}
                """)
        }
        guard case .configurationInvalid(_, let key, let reason) = error else {
            Issue.record("expected configurationInvalid, got \(String(describing: error))")
            return
        }
        #expect(key == "class_embed_type")
        for name in ["class_embed_type", "addition_embed_type", "time_cond_proj_dim", "mid_block_type",
                     "resnet_time_scale_shift", "time_embedding_type", "encoder_hid_dim", "dual_cross_attention"] {
            #expect(reason.contains(name), "\(name) not named in: \(reason)")
        }
    }

    @Test func refusesUnsupportedBlockTypes() throws {
        let error = #expect(throws: WeightsError.self) {
            try decodeConfiguration(UNet2DConditionModel.Configuration.self, """
                {"block_out_channels": [32, 64], "down_block_types": ["SimpleCrossAttnDownBlock2D", "DownBlock2D"],
                 "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"]}
                """)
        }
        guard case .configurationInvalid(_, let key, let reason) = error else { return }
        #expect(key == "down_block_types" && reason.contains("SimpleCrossAttnDownBlock2D"))
    }

    @Test func acceptsNullsAndDefaultsOfRefusableOptions() throws {
        let configuration = try decodeConfiguration(UNet2DConditionModel.Configuration.self, """
            {"class_embed_type": null, "addition_embed_type": null, "mid_block_type": "UNetMidBlock2DCrossAttn",
             "time_embedding_type": "positional", "resnet_time_scale_shift": "scale_shift", "dual_cross_attention": false,
             "resnet_out_scale_factor": 1.0, "attention_type": "default", "transformer_layers_per_block": [1, 1, 2, 1]}
            """)
        #expect(configuration.resnetTimeScaleShift == .scaleShift)
        #expect(configuration.blocks.map(\.transformerLayers) == [1, 1, 2, 1])
    }

    @Test func reportsPerBlockListsOfTheWrongLength() throws {
        let error = #expect(throws: WeightsError.self) {
            try decodeConfiguration(UNet2DConditionModel.Configuration.self, #"{"attention_head_dim": [5, 10]}"#)
        }
        guard case .configurationInvalid(_, let key, _) = error else { return }
        #expect(key == "attention_head_dim")
    }

    @Test func refusesNestedTransformerDepths() throws {
        let error = #expect(throws: WeightsError.self) {
            try decodeConfiguration(UNet2DConditionModel.Configuration.self,
                                    #"{"transformer_layers_per_block": [[1, 2], [1, 2], [1, 2], [1, 2]]}"#)
        }
        guard case .configurationInvalid(_, let key, _) = error else { return }
        #expect(key == "transformer_layers_per_block")
    }
}
