import Testing
@testable import Tensor

@Suite struct ActivationsTests {
    @Test func matchPyTorch() throws {
        let fixture = try OpFixture("activations")
        #expect(fixture.cases.count == 10)
        for name in fixture.cases.keys.sorted() {
            let input = try fixture.tensor(name, "input"), expected = try fixture.tensor(name, "output")
            let actual: Tensor
            switch fixture.string(name, "op")! {
            case "gelu": actual = input.gelu()
            case "gelu_tanh": actual = input.gelu(approximate: .tanh)
            case "silu": actual = input.silu()
            case "quick_gelu": actual = input.quickGELU()
            case "mish": actual = input.mish()
            case "sigmoid": actual = input.sigmoid()
            case "softplus": actual = input.softplus(beta: fixture.float(name, "beta") ?? 1, threshold: fixture.float(name, "threshold") ?? 20)
            case "relu": actual = input.relu()
            case "tanh": actual = input.tanh()
            case let op: Issue.record("unknown op \(op)"); continue
            }
            // Point-wise maps: tighter than the general tolerance (a few float ulps of the scale).
            expectMatches(actual, expected, relative: 2e-6, name)
        }
    }
}
