import Testing
@testable import Tensor

@Suite struct TensorElementwiseTests {
    @Test func broadcastingArithmeticAndExpand() throws {
        let a = Tensor(shape: [2, 1, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [4, 1], values: [10, 20, 30, 40])
        let sum = try a + b
        #expect(sum.shape == [2, 4, 3])
        #expect(sum[1, 2, 0] == 34)
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]) + Tensor.zeros([4]) }
        let e = try Tensor(shape: [3], values: [1, 2, 3]).expanded(to: [2, 3])
        #expect(e.strides == [0, 1] && e.scalars == [1, 2, 3, 1, 2, 3])
        var c = Tensor.ones([2, 3])
        try c.add(e, scale: 2)
        #expect(c.scalars == [3, 5, 7, 3, 5, 7])
    }
}

extension TensorElementwiseTests {
    @Test func arithmeticFastPathsMatchTheGenericPath() throws {
        let a = Tensor(shape: [2, 3, 4, 5], values: (0..<120).map { Float($0) * 0.25 - 7.1 })
        let perChannel = Tensor(shape: [1, 3, 1, 1], values: [2, -3, 0.5])
        let row = Tensor(shape: [5], values: [1, 2, 3, 4, 5])
        let transposed = try a.transposed(2, 3)
        for (x, y) in [(a, a), (a, perChannel), (perChannel, a), (a, row), (row, a), (transposed, transposed)] {
            #expect(try (x + y).scalars == Tensor.zip(x, y, +).scalars)
            #expect(try (x - y).scalars == Tensor.zip(x, y, -).scalars)
            #expect(try (x * y).scalars == Tensor.zip(x, y, *).scalars)
            #expect(try (x / y).scalars == Tensor.zip(x, y, /).scalars)
        }
    }
}
