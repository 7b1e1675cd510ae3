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

    /// `gatedGELU` on [hidden, gate] must be hidden · gelu(gate), with gelu(gate) taken from PyTorch's output.
    @Test func gatedGELUMultipliesTheFirstHalfByTheGELUOfTheSecond() throws {
        let fixture = try OpFixture("activations")
        let name = try #require(fixture.cases.keys.sorted().first { fixture.string($0, "op") == "gelu" })
        let gate = try fixture.tensor(name, "input"), geluOfGate = try fixture.tensor(name, "output")
        let hidden = gate.map { 0.75 - $0 / 3 }
        let gated = try Tensor.concatenate([hidden, gate], dimension: gate.shape.count - 1).gatedGELU()
        #expect(gated.shape == gate.shape)
        expectMatches(gated, try hidden * geluOfGate, relative: 4e-6, "gatedGELU")
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).gatedGELU() }
    }
}
