import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct AttentionTests {
    @Test func matchesDiffusersAttention() throws {
        try checkParity("attention", module: "Attention") { scope, c in
            let layer = try Attention(scope, queryDim: c.requiredInt("query_dim"), crossAttentionDim: c.int("cross_attention_dim"),
                                      heads: c.requiredInt("heads"), headDim: c.requiredInt("dim_head"),
                                      bias: c.bool("bias") ?? false, normNumGroups: c.int("norm_num_groups"),
                                      eps: c.float("eps") ?? 1e-5, residualConnection: c.bool("residual_connection") ?? false,
                                      rescaleOutputFactor: c.float("rescale_output_factor") ?? 1)
            let output = try layer(c.input("hidden_states"), encoderHiddenStates: c.optionalInput("encoder_hidden_states"),
                                   attentionMask: c.optionalInput("attention_mask"))
            return ["output": output]
        }
    }

    @Test func keepMaskBecomesDiffusersBias() throws {
        let bias = try Attention.additiveMask(keepMask: Tensor(shape: [1, 3], values: [1, 0, 1]))
        #expect(bias.shape == [1, 1, 3])
        #expect(bias.scalars == [0, -10000, 0])
    }

    @Test func rejectsHeadsThatDoNotDivideTheInnerWidth() throws {
        let store = try ParameterStore(files: [])
        #expect(throws: WeightsError.self) { try Attention(store.root, queryDim: 32, headDim: 12, outDim: 32) }
    }
}
