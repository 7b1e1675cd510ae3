import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct LinearTests {
    @Test func matchesTorchLinear() throws {
        try checkParity("linear", module: "Linear") { scope, c in
            let layer = try Linear(scope, inFeatures: c.requiredInt("in_features"), outFeatures: c.requiredInt("out_features"),
                                   bias: c.bool("bias") ?? true)
            return ["output": try layer(c.input("input"))]
        }
    }
}
