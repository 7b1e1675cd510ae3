import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct LayerNormTests {
    @Test func matchesTorchLayerNorm() throws {
        try checkParity("norms", module: "LayerNorm") { scope, c in
            let layer = try LayerNorm(scope, dimension: c.requiredInt("dimension"), eps: c.float("eps") ?? 1e-5,
                                      elementwiseAffine: c.bool("elementwise_affine") ?? true)
            return ["output": try layer(c.input("input"))]
        }
    }
}
