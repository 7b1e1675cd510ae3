import Testing
import Weights
@testable import Layers
@testable import Tensor

/// Covers `FeedForward` with each projection: `GEGLU`, `GELU` (erf and tanh) and `ApproximateGELU`.
@Suite struct FeedForwardTests {
    @Test func matchesDiffusersFeedForward() throws {
        try checkParity("feed_forward", module: "FeedForward") { scope, c in
            guard let name = c.string("activation_fn"), let activation = FeedForward.ActivationKind(rawValue: name) else {
                throw ParityError.missingArgument("\(c.name).activation_fn")
            }
            let layer = try FeedForward(scope, dim: c.requiredInt("dim"), dimOut: c.int("dim_out"), innerDim: c.int("inner_dim"),
                                        activation: activation)
            return ["output": try layer(c.input("input"))]
        }
    }
}
