import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct UNetMidBlock2DCrossAttnTests {
    @Test func matchesDiffusersUNetMidBlock2DCrossAttn() throws {
        try checkParity("unet_blocks", module: "UNetMidBlock2DCrossAttn") { scope, c in
            let block = try UNetMidBlock2DCrossAttn(scope, inChannels: c.requiredInt("in_channels"), tembChannels: c.int("temb_channels"),
                                                    numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings,
                                                    attention: c.attentionSettings)
            let output = try block(c.input("hidden_states"), temb: c.optionalInput("temb"),
                                   encoderHiddenStates: c.input("encoder_hidden_states"))
            return ["output": output]
        }
    }
}
