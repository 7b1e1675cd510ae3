import Testing
@testable import Tensor

@Suite struct NormalizationTests {
    @Test func normsMatchPyTorch() throws {
        let fixture = try OpFixture("norms")
        for name in fixture.cases.keys.sorted() {
            let input = try fixture.tensor(name, "input"), expected = try fixture.tensor(name, "output")
            let weight = try fixture.optionalTensor(name, "weight"), bias = try fixture.optionalTensor(name, "bias")
            let actual: Tensor
            switch fixture.string(name, "op")! {
            case "group_norm":
                actual = try Tensor.groupNorm(input, groups: fixture.int(name, "groups")!, weight: weight, bias: bias,
                                              eps: fixture.float(name, "eps")!, fusedSiLU: fixture.bool(name, "silu") ?? false)
            case "layer_norm":
                actual = try Tensor.layerNorm(input, normalizedShape: fixture.ints(name, "normalized_shape")!, weight: weight, bias: bias,
                                              eps: fixture.float(name, "eps")!)
            case "rms_norm":
                actual = try Tensor.rmsNorm(input, normalizedShape: fixture.ints(name, "normalized_shape")!, weight: weight,
                                            eps: fixture.float(name, "eps"))
            case let op: Issue.record("unknown op \(op)"); continue
            }
            expectMatches(actual, expected, name)
        }
    }

    @Test func rejectsBadGroups() {
        #expect(throws: TensorError.self) { try Tensor.groupNorm(.zeros([1, 6, 2, 2]), groups: 4) }
        #expect(throws: TensorError.self) { try Tensor.layerNorm(.zeros([2, 3]), normalizedShape: [4]) }
    }
}
