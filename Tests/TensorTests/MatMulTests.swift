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

    /// Few-row linear layers cut their output columns into fixed bands (multiples of 16 wide) shared out over
    /// the workers: the result equals the plain product, for a row-major weight and for a transposed view of one.
    /// (The cut does not depend on the thread count; this test leaves that count alone, because other suites
    /// running at the same time compare repeated calls bit for bit.)
    @Test func fewRowLinearEqualsTheProduct() throws {
        let (rows, inFeatures, outFeatures) = (154, 24, 300)
        #expect(rows < BLAS.fewRows && outFeatures >= BLAS.columnBands * 64)
        let inputValues = (0..<(rows * inFeatures)).map { Float($0 % 7) - 3 }
        let weightValues = (0..<(outFeatures * inFeatures)).map { Float($0 % 5) - 2 }
        let biasValues = (0..<outFeatures).map { Float($0 % 3) }
        let input = Tensor(shape: [2, rows / 2, inFeatures], values: inputValues)
        let weight = Tensor(shape: [outFeatures, inFeatures], values: weightValues)
        let bias = Tensor(shape: [outFeatures], values: biasValues)
        let weightView = try weight.transposed(0, 1).contiguous().transposed(0, 1)
        #expect(!weightView.isContiguous)
        let output = try Tensor.linear(input, weight: weight, bias: bias)
        let outputFromView = try Tensor.linear(input, weight: weightView, bias: bias)
        // Small integers: every product and sum is exact in Float.
        var expected = [Float](repeating: 0, count: rows * outFeatures)
        for row in 0..<rows {
            for column in 0..<outFeatures {
                var sum = biasValues[column]
                for index in 0..<inFeatures { sum += inputValues[row * inFeatures + index] * weightValues[column * inFeatures + index] }
                expected[row * outFeatures + column] = sum
            }
        }
        #expect(output.shape == [2, rows / 2, outFeatures])
        #expect(output.scalars == expected)
        #expect(outputFromView.scalars == expected)
    }
}
