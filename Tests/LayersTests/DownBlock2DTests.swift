import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct DownBlock2DTests {
    @Test func matchesDiffusersDownBlock2D() throws {
        try checkParity("unet_blocks", module: "DownBlock2D") { scope, c in
            let block = try DownBlock2D(scope, inChannels: c.requiredInt("in_channels"), outChannels: c.requiredInt("out_channels"),
                                        tembChannels: c.int("temb_channels"), numLayers: c.int("num_layers") ?? 1,
                                        resnet: c.resnetSettings, addDownsample: c.bool("add_downsample") ?? true)
            let (output, skips) = try block(c.input("hidden_states"), temb: c.optionalInput("temb"))
            return skipOutputs(output, skips)
        }
    }
}

/// `output` plus `skip.N` for a down block's results.
func skipOutputs(_ output: Tensor, _ skips: [Tensor]) -> [String: Tensor] {
    var outputs = ["output": output]
    for (index, skip) in skips.enumerated() { outputs["skip.\(index)"] = skip }
    return outputs
}
