import Testing
@testable import Tensor

@Suite struct MatMulTests {
    @Test func matchPyTorch() throws {
        let fixture = try OpFixture("matmul")
        #expect(fixture.cases.count == 8)
        for name in fixture.cases.keys.sorted() {
            let expected = try fixture.tensor(name, "output")
            let actual: Tensor
            switch fixture.string(name, "op")! {
            case "matmul":
                actual = try Tensor.matmul(fixture.tensor(name, "a"), fixture.tensor(name, "b"))
            case "bmm":
                // Stored transposed: multiply strided views (sgemm's Trans flags, no copies).
                let a = try fixture.tensor(name, "a_t").transposed(1, 2), b = try fixture.tensor(name, "b_t").transposed(1, 2)
                #expect(!a.isContiguous && !b.isContiguous)
                actual = try Tensor.bmm(a, b)
            case "linear":
                actual = try Tensor.linear(fixture.tensor(name, "input"), weight: fixture.tensor(name, "weight"),
                                           bias: fixture.optionalTensor(name, "bias"))
            case let op: Issue.record("unknown op \(op)"); continue
            }
            expectMatches(actual, expected, name)
        }
    }

    @Test func rejectsMismatchedInnerDimensions() {
        #expect(throws: TensorError.self) { try Tensor.matmul(.zeros([2, 3]), .zeros([4, 5])) }
        #expect(throws: TensorError.self) { try Tensor.linear(.zeros([2, 3]), weight: .zeros([5, 4])) }
    }

    @Test func batchedSmallGEMMsAgreeSingleAndMultiThreaded() throws {
        let a = Tensor(shape: [16, 8, 12], values: (0..<(16 * 8 * 12)).map { Float($0 % 7) - 3 })
        let b = Tensor(shape: [16, 12, 5], values: (0..<(16 * 12 * 5)).map { Float($0 % 5) - 2 })
        let threads = ComputeThreads.count
        ComputeThreads.setCount(1)
        let single = try Tensor.bmm(a, b)
        ComputeThreads.setCount(max(2, threads))
        let multi = try Tensor.bmm(a, b)
        ComputeThreads.setCount(threads)
        #expect(single.scalars == multi.scalars)
    }

    /// Few-row linear layers split their output columns over the workers (bands a multiple of 16 wide); the
    /// result must not depend on the split, for a row-major weight and for a transposed view of one.
    @Test func fewRowLinearAgreesSingleAndMultiThreaded() throws {
        let (rows, inFeatures, outFeatures) = (154, 24, 200)
        let input = Tensor(shape: [2, rows / 2, inFeatures], values: (0..<(rows * inFeatures)).map { Float($0 % 7) - 3 })
        let weight = Tensor(shape: [outFeatures, inFeatures], values: (0..<(outFeatures * inFeatures)).map { Float($0 % 5) - 2 })
        let bias = Tensor(shape: [outFeatures], values: (0..<outFeatures).map { Float($0 % 3) })
        let weightView = try weight.transposed(0, 1).contiguous().transposed(0, 1)
        #expect(!weightView.isContiguous)
        let threads = ComputeThreads.count
        ComputeThreads.setCount(1)
        let single = try Tensor.linear(input, weight: weight, bias: bias)
        ComputeThreads.setCount(max(2, threads))
        let multi = try Tensor.linear(input, weight: weight, bias: bias)
        let multiView = try Tensor.linear(input, weight: weightView, bias: bias)
        ComputeThreads.setCount(threads)
        #expect(single.shape == [2, rows / 2, outFeatures])
        #expect(single.scalars == multi.scalars)
        #expect(single.scalars == multiView.scalars)
    }
}
