import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct GroupNormTests {
    @Test func matchesTorchGroupNorm() throws {
        try checkParity("norms", module: "GroupNorm") { scope, c in
            let layer = try GroupNorm(scope, groups: c.requiredInt("groups"), channels: c.requiredInt("channels"),
                                      eps: c.float("eps") ?? 1e-5, affine: c.bool("affine") ?? true)
            return ["output": try layer(c.input("input"), fusedSiLU: c.bool("fused_silu") ?? false)]
        }
    }
}
