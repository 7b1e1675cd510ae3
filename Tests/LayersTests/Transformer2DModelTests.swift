import Foundation
import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct Transformer2DModelTests {
    /// The configuration is decoded from the diffusers `config.json` the reference model reports.
    @Test func matchesDiffusersTransformer2DModel() throws {
        try checkParity("transformer", module: "Transformer2DModel") { scope, c in
            let configuration = try ModelConfiguration.decode(Transformer2DModel.Configuration.self, from: c.configJSON(),
                                                              path: "\(c.name)/config.json")
            let layer = try Transformer2DModel(scope, configuration: configuration)
            let output = try layer(c.input("hidden_states"), encoderHiddenStates: c.input("encoder_hidden_states"),
                                   encoderAttentionMask: c.input("encoder_attention_mask"))
            return ["output": output]
        }
    }

    @Test func configurationFillsDiffusersDefaults() throws {
        let json = Data(#"{"in_channels": 320, "num_attention_heads": 8, "attention_head_dim": 40, "cross_attention_dim": 768}"#.utf8)
        let configuration = try ModelConfiguration.decode(Transformer2DModel.Configuration.self, from: json, path: "config.json")
        #expect(configuration == Transformer2DModel.Configuration(numAttentionHeads: 8, attentionHeadDim: 40, inChannels: 320,
                                                                   crossAttentionDim: 768))
        #expect(configuration.normNumGroups == 32 && configuration.activationFn == .geglu && !configuration.useLinearProjection)
    }
}
