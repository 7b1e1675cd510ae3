import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct CrossAttnDownBlock2DTests {
    @Test func matchesDiffusersCrossAttnDownBlock2D() throws {
        try checkParity("unet_blocks", module: "CrossAttnDownBlock2D") { scope, c in
            let block = try CrossAttnDownBlock2D(
                scope, inChannels: c.requiredInt("in_channels"), outChannels: c.requiredInt("out_channels"),
                tembChannels: c.int("temb_channels"), numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings,
                attention: c.attentionSettings, addDownsample: c.bool("add_downsample") ?? true)
            let (output, skips) = try block(c.input("hidden_states"), temb: c.optionalInput("temb"),
                                            encoderHiddenStates: c.input("encoder_hidden_states"),
                                            encoderAttentionMask: c.optionalInput("encoder_attention_mask"))
            return skipOutputs(output, skips)
        }
    }
}
