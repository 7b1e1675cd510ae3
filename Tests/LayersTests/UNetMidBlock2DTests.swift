import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct UNetMidBlock2DTests {
    @Test func matchesDiffusersUNetMidBlock2D() throws {
        try checkParity("vae_blocks", module: "UNetMidBlock2D") { scope, c in
            let block = try UNetMidBlock2D(scope, inChannels: c.requiredInt("in_channels"), tembChannels: c.int("temb_channels"),
                                           numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings,
                                           attentionHeadDim: c.int("attention_head_dim") ?? 1)
            return ["output": try block(c.input("hidden_states"), temb: c.optionalInput("temb"))]
        }
    }
}
