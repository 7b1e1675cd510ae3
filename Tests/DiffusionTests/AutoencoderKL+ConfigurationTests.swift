import Foundation
import Testing
import Weights
@testable import Diffusion

@Suite struct AutoencoderKLConfigurationTests {
    @Test func decodesTheFixtureConfiguration() throws {
        let configuration = try ModelConfiguration.decode(AutoencoderKL.Configuration.self,
                                                          fromDirectory: SDModelFixtures.component("tiny-sd1", "vae"))
        #expect(configuration == AutoencoderKL.Configuration(blockOutChannels: [32, 64], latentChannels: 4))
    }

    @Test func defaultsMatchDiffusersAndSDPreset() throws {
        #expect(try decodeConfiguration(AutoencoderKL.Configuration.self, "{}") == AutoencoderKL.Configuration())
        let sd = try decodeConfiguration(AutoencoderKL.Configuration.self, """
            {"block_out_channels": [128, 256, 512, 512], "layers_per_block": 2, "sample_size": 512,
             "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
             "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
             "shift_factor": null, "use_quant_conv": true, "force_upcast": true}
            """)
        #expect(sd == .sd && sd.downsamplingFactor == 8)
    }

    @Test func refusesOtherBlockTypesByName() throws {
        let error = #expect(throws: WeightsError.self) {
            try decodeConfiguration(AutoencoderKL.Configuration.self, """
                {"down_block_types": ["AttnDownEncoderBlock2D"], "up_block_types": ["AttnUpDecoderBlock2D"]}
                """)
        }
        guard case .configurationInvalid(_, let key, let reason) = error else { return }
        #expect(key == "down_block_types" && reason.contains("up_block_types"))
    }

    @Test func reportsMismatchedBlockCounts() throws {
        #expect(throws: WeightsError.self) {
            try decodeConfiguration(AutoencoderKL.Configuration.self, #"{"block_out_channels": [32, 64]}"#)
        }
    }
}
