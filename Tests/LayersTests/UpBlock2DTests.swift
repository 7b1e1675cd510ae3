import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct UpBlock2DTests {
    @Test func matchesDiffusersUpBlock2D() throws {
        try checkParity("unet_blocks", module: "UpBlock2D") { scope, c in
            let block = try UpBlock2D(scope, inChannels: c.requiredInt("in_channels"), prevOutputChannel: c.requiredInt("prev_output_channel"),
                                      outChannels: c.requiredInt("out_channels"), tembChannels: c.int("temb_channels"),
                                      numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings,
                                      addUpsample: c.bool("add_upsample") ?? true)
            return ["output": try block(c.input("hidden_states"), skipStates: c.skipInputs(), temb: c.optionalInput("temb"))]
        }
    }

    @Test func rejectsWrongSkipCount() throws {
        try checkParity("unet_blocks", module: "UpBlock2D") { scope, c in
            let block = try UpBlock2D(scope, inChannels: c.requiredInt("in_channels"), prevOutputChannel: c.requiredInt("prev_output_channel"),
                                      outChannels: c.requiredInt("out_channels"), tembChannels: c.int("temb_channels"),
                                      numLayers: c.int("num_layers") ?? 1, resnet: c.resnetSettings)
            let skips = try c.skipInputs()
            #expect(throws: TensorError.self) { try block(c.input("hidden_states"), skipStates: Array(skips.dropFirst())) }
            return ["output": try block(c.input("hidden_states"), skipStates: skips, temb: c.optionalInput("temb"))]
        }
    }
}
