import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct CrossAttnUpBlock2DTests {
    @Test func matchesDiffusersCrossAttnUpBlock2D() throws {
        try checkParity("unet_blocks", module: "CrossAttnUpBlock2D") { scope, c in
            let block = try CrossAttnUpBlock2D(
                scope, inChannels: c.requiredInt("in_channels"), prevOutputChannel: c.requiredInt("prev_output_channel"),
                outChannels: c.requiredInt("out_channels"), tembChannels: c.int("temb_channels"),
                numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings, attention: c.attentionSettings,
                addUpsample: c.bool("add_upsample") ?? true)
            let output = try block(c.input("hidden_states"), skipStates: c.skipInputs(), temb: c.optionalInput("temb"),
                                   encoderHiddenStates: c.input("encoder_hidden_states"),
                                   encoderAttentionMask: c.optionalInput("encoder_attention_mask"),
                                   upsampleSize: c.pair("upsample_size"))
            return ["output": output]
        }
    }
}
