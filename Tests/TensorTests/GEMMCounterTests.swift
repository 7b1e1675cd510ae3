import Testing
@testable import Tensor

@Suite(.serialized) struct GEMMCounterTests {
    /// The fewest operations counted over a few tries: other suites' sgemm calls running in parallel during a
    /// counted region can only add to the count, so the minimum is the op's own count.
    private func counted(_ body: () throws -> Void) rethrows -> Int {
        var fewest = Int.max
        for _ in 0..<5 { fewest = min(fewest, try GEMMCounter.counting(body).flops) }
        return fewest
    }

    @Test func countsTwoFlopsPerMultiplyAccumulate() throws {
        let a = Tensor.zeros([3, 5, 7]), b = Tensor.zeros([3, 7, 11])
        #expect(try counted { _ = try Tensor.bmm(a, b) } == 2 * 3 * 5 * 7 * 11)
        let x = Tensor.zeros([2, 9, 16]), weight = Tensor.zeros([24, 16])
        #expect(try counted { _ = try Tensor.linear(x, weight: weight) } == 2 * 2 * 9 * 16 * 24)
    }

    @Test func countsConvolutionAsItsIm2ColGEMMs() throws {
        // (2, 6, 10, 10) * (8, 6, 3, 3), padding 1: per image an 8 × 100 × 54 product.
        let input = Tensor.zeros([2, 6, 10, 10]), weight = Tensor.zeros([8, 6, 3, 3])
        let flops = try counted { _ = try Tensor.conv2d(input, weight: weight, parameters: Conv2DParameters(padding: 1)) }
        #expect(flops == 2 * 2 * 8 * 100 * 54)
    }

    @Test func countsBothAttentionProducts() throws {
        // Per head: scores 20 × 30 × 8, values 20 × 4 × 30.
        let q = Tensor.zeros([3, 20, 8]), k = Tensor.zeros([3, 30, 8]), v = Tensor.zeros([3, 30, 4])
        let flops = try counted { _ = try Tensor.scaledDotProductAttention(query: q, key: k, value: v) }
        #expect(flops == 3 * 2 * (20 * 30 * 8 + 20 * 4 * 30))
    }

    @Test func countsNothingOutsideACountedRegion() throws {
        // Only this (serialized) suite turns counting on, so nothing else can touch the total meanwhile.
        let a = Tensor.zeros([64, 64])
        let total = GEMMCounter.counting { }.flops
        _ = try Tensor.matmul(a, a)
        let enabled = GEMMCounter.isEnabled.load(ordering: .relaxed)
        let operations = GEMMCounter.operations.load(ordering: .relaxed)
        #expect(!enabled)
        #expect(operations == total)
    }
}
