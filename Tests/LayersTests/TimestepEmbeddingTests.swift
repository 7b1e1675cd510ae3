import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct TimestepEmbeddingTests {
    @Test func matchesDiffusersTimestepEmbedding() throws {
        try checkParity("timesteps", module: "TimestepEmbedding") { scope, c in
            let layer = try TimestepEmbedding(scope, inChannels: c.requiredInt("in_channels"), timeEmbedDim: c.requiredInt("time_embed_dim"),
                                              outDim: c.int("out_dim"),
                                              postActivation: c.string("post_act_fn").flatMap(ActivationFunction.init(rawValue:)),
                                              condProjDim: c.int("cond_proj_dim"))
            return ["output": try layer(c.input("sample"), condition: c.optionalInput("condition"))]
        }
    }

    @Test func rejectsConditionWithoutCondProj() throws {
        let store = try ParameterStore(files: [])
        let layer = try TimestepEmbedding(store.root, inChannels: 4, timeEmbedDim: 8)
        #expect(throws: TensorError.self) { try layer(.zeros([1, 4]), condition: .zeros([1, 4])) }
    }
}
