import Foundation
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
    /// the workers: the result equals the plain product and does not depend on the thread count, for a row-major
    /// weight and for a transposed view of one.
    @Test func fewRowLinearIsExactAndIndependentOfThreadCount() throws {
        let (rows, inFeatures, outFeatures) = (154, 24, 300)
        let inputValues = (0..<(rows * inFeatures)).map { Float($0 % 7) - 3 }
        let weightValues = (0..<(outFeatures * inFeatures)).map { Float($0 % 5) - 2 }
        let biasValues = (0..<outFeatures).map { Float($0 % 3) }
        let input = Tensor(shape: [2, rows / 2, inFeatures], values: inputValues)
        let weight = Tensor(shape: [outFeatures, inFeatures], values: weightValues)
        let bias = Tensor(shape: [outFeatures], values: biasValues)
        let weightView = try weight.transposed(0, 1).contiguous().transposed(0, 1)
        #expect(!weightView.isContiguous)
        let threads = ComputeThreads.count
        ComputeThreads.setCount(1)
        let single = try Tensor.linear(input, weight: weight, bias: bias)
        ComputeThreads.setCount(max(2, threads))
        let multi = try Tensor.linear(input, weight: weight, bias: bias)
        let multiView = try Tensor.linear(input, weight: weightView, bias: bias)
        // Inexact values: the same bits at 1 and 2 threads.
        let fractional = Tensor(shape: [rows, inFeatures], values: inputValues.indices.map { Float(sin(Double($0))) })
        let fractionalMulti = try Tensor.linear(fractional, weight: weight, bias: bias)
        ComputeThreads.setCount(1)
        let fractionalSingle = try Tensor.linear(fractional, weight: weight, bias: bias)
        ComputeThreads.setCount(threads)
        #expect(fractionalSingle.scalars == fractionalMulti.scalars)
        // Small integers: every product and sum is exact in Float.
        var expected = [Float](repeating: 0, count: rows * outFeatures)
        for row in 0..<rows {
            for column in 0..<outFeatures {
                var sum = biasValues[column]
                for index in 0..<inFeatures { sum += inputValues[row * inFeatures + index] * weightValues[column * inFeatures + index] }
                expected[row * outFeatures + column] = sum
            }
        }
        #expect(single.shape == [2, rows / 2, outFeatures])
        #expect(single.scalars == expected)
        #expect(multi.scalars == expected)
        #expect(multiView.scalars == expected)
    }
}
