import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct BasicTransformerBlockTests {
    @Test func matchesDiffusersBasicTransformerBlock() throws {
        try checkParity("transformer", module: "BasicTransformerBlock") { scope, c in
            let layer = try BasicTransformerBlock(
                scope, dim: c.requiredInt("dim"), numAttentionHeads: c.requiredInt("num_attention_heads"),
                attentionHeadDim: c.requiredInt("attention_head_dim"), crossAttentionDim: c.int("cross_attention_dim"),
                onlyCrossAttention: c.bool("only_cross_attention") ?? false,
                doubleSelfAttention: c.bool("double_self_attention") ?? false)
            #expect((layer.attn2 == nil) == (c.int("cross_attention_dim") == nil && c.bool("double_self_attention") != true))
            let output = try layer(c.input("hidden_states"), encoderHiddenStates: c.optionalInput("encoder_hidden_states"),
                                   encoderAttentionMask: c.optionalInput("encoder_attention_mask"))
            return ["output": output]
        }
    }
}
