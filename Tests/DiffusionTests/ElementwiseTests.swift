import Testing
import Tensor
@testable import Diffusion

@Suite struct ElementwiseTests {
    @Test func scaledSumsCombineTerms() {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], values: [10, 20, 30, 40])
        #expect(Elementwise.sum(a, 2, b, 0.5).scalars == [7, 14, 21, 28])
        #expect(Elementwise.sum(a, 1, b, 1, a, -1).scalars == [10, 20, 30, 40])
        #expect(Elementwise.sum([(a, 1), (b, 1), (a, 1)]).scalars == [12, 24, 36, 48])
        #expect(Elementwise.scaled(a, -1).scalars == [-1, -2, -3, -4])
    }

    @Test func shapeMismatchThrows() {
        let a = Tensor.zeros([2, 2]), b = Tensor.zeros([4])
        #expect(throws: SchedulerError.shapeMismatch(operation: "op", shapes: [[2, 2], [4]])) {
            try Elementwise.requireSameShape("op", a, b)
        }
    }

    @Test func clippingClamps() {
        let x = Tensor(shape: [1, 4], values: [-3, -0.5, 0.5, 3])
        #expect(SampleClipping.clip(range: 1).apply(x).scalars == [-1, -0.5, 0.5, 1])
        #expect(SampleClipping.none.apply(x).scalars == x.scalars)
    }

    @Test func dynamicThresholdingUsesThePerItemQuantile() {
        // |x| sorted = 0.5, 1, 2, 4; quantile(0.5) = 1.5 (linear) → clamp to ±1.5 and divide by 1.5.
        let x = Tensor(shape: [1, 4], values: [4, -2, 1, -0.5])
        let y = SampleClipping.dynamicThreshold(ratio: 0.5, maxValue: 10).apply(x).scalars
        let expected: [Float] = [1, -1, 1 / 1.5, -0.5 / 1.5]
        #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        // s is clamped to [1, sample_max_value].
        let small = SampleClipping.dynamicThreshold(ratio: 0.5, maxValue: 10).apply(Tensor(shape: [1, 2], values: [0.2, -0.4]))
        #expect(small.scalars == [0.2, -0.4])
    }
}
