import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct DownEncoderBlock2DTests {
    @Test func matchesDiffusersDownEncoderBlock2D() throws {
        try checkParity("vae_blocks", module: "DownEncoderBlock2D") { scope, c in
            let block = try DownEncoderBlock2D(scope, inChannels: c.requiredInt("in_channels"), outChannels: c.requiredInt("out_channels"),
                                               numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings,
                                               addDownsample: c.bool("add_downsample") ?? true,
                                               downsamplePadding: c.int("downsample_padding") ?? 1)
            return ["output": try block(c.input("hidden_states"))]
        }
    }
}
