import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct UpDecoderBlock2DTests {
    @Test func matchesDiffusersUpDecoderBlock2D() throws {
        try checkParity("vae_blocks", module: "UpDecoderBlock2D") { scope, c in
            let block = try UpDecoderBlock2D(scope, inChannels: c.requiredInt("in_channels"), outChannels: c.requiredInt("out_channels"),
                                             numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings,
                                             addUpsample: c.bool("add_upsample") ?? true)
            return ["output": try block(c.input("hidden_states"))]
        }
    }
}
