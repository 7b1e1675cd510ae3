import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct UNetUpBlockTests {
    /// The factory builds the same blocks as their initialisers (same keys, same outputs).
    @Test(arguments: UNetUpBlock.Kind.allCases)
    func factoryMatchesDiffusers(kind: UNetUpBlock.Kind) throws {
        try checkParity("unet_blocks", module: kind.rawValue) { scope, c in
            let block = try UNetUpBlock(scope, kind: kind, inChannels: c.requiredInt("in_channels"),
                                        prevOutputChannel: c.requiredInt("prev_output_channel"),
                                        outChannels: c.requiredInt("out_channels"), tembChannels: c.int("temb_channels"),
                                        numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings,
                                        attention: kind == .crossAttnUpBlock2D ? c.attentionSettings : nil,
                                        addUpsample: c.bool("add_upsample") ?? true)
            #expect(block.resnetCount == c.int("num_layers") ?? 1 && block.upsamples)
            let output = try block(c.input("hidden_states"), skipStates: c.skipInputs(), temb: c.optionalInput("temb"),
                                   encoderHiddenStates: c.optionalInput("encoder_hidden_states"),
                                   encoderAttentionMask: c.optionalInput("encoder_attention_mask"),
                                   upsampleSize: c.pair("upsample_size"))
            return ["output": output]
        }
    }
}
