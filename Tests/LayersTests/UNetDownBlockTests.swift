import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct UNetDownBlockTests {
    /// The factory builds the same blocks as their initialisers (same keys, same outputs).
    @Test(arguments: UNetDownBlock.Kind.allCases)
    func factoryMatchesDiffusers(kind: UNetDownBlock.Kind) throws {
        try checkParity("unet_blocks", module: kind.rawValue) { scope, c in
            let block = try UNetDownBlock(scope, kind: kind, inChannels: c.requiredInt("in_channels"),
                                          outChannels: c.requiredInt("out_channels"), tembChannels: c.int("temb_channels"),
                                          numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings,
                                          attention: kind == .crossAttnDownBlock2D ? c.attentionSettings : nil,
                                          addDownsample: c.bool("add_downsample") ?? true)
            #expect(block.hasCrossAttention == (kind == .crossAttnDownBlock2D))
            #expect(block.resnetCount == c.int("num_layers") ?? 1)
            let (output, skips) = try block(c.input("hidden_states"), temb: c.optionalInput("temb"),
                                            encoderHiddenStates: c.optionalInput("encoder_hidden_states"),
                                            encoderAttentionMask: c.optionalInput("encoder_attention_mask"))
            return skipOutputs(output, skips)
        }
    }

    @Test func crossAttentionKindNeedsSettings() throws {
        let store = try ParameterStore(files: [])
        #expect(throws: WeightsError.self) {
            try UNetDownBlock(store.root, kind: .crossAttnDownBlock2D, inChannels: 32, outChannels: 32, tembChannels: 64,
                              numLayers: 1, resnet: ResnetBlockSettings(), attention: nil, addDownsample: false)
        }
    }
}
