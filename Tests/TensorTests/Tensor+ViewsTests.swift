import Testing
@testable import Tensor

@Suite struct TensorViewsTests {
    @Test func reshapeSliceSelectPermute() throws {
        let x = Tensor(shape: [2, 3, 4], values: (0..<24).map(Float.init))
        #expect(try x.reshaped([4, -1]).shape == [4, 6])
        #expect(throws: TensorError.self) { try x.reshaped([5, -1]) }
        #expect(try x.sliced(dimension: 2, start: 1, end: 4, step: 2).scalars == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23])
        #expect(try x.sliced(dimension: -1, start: -1).scalars == [3, 7, 11, 15, 19, 23])
        #expect(try x.selected(dimension: 1, index: 2).scalars == [8, 9, 10, 11, 20, 21, 22, 23])
        let p = try x.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3] && p[1, 1, 2] == x[1, 2, 1])
        #expect(try p.reshaped([8, 3]).contiguous().isContiguous)
        #expect(try x.flattened(from: 1).shape == [2, 12])
        #expect(try x.unsqueezed(0).squeezed(0).shape == [2, 3, 4])
    }

    @Test func concatenateAndChunk() throws {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4]), b = Tensor(shape: [2, 1], values: [5, 6])
        let c = try Tensor.concatenate([a, b], dimension: 1)
        #expect(c.shape == [2, 3] && c.scalars == [1, 2, 5, 3, 4, 6])
        #expect(throws: TensorError.self) { try Tensor.concatenate([a, Tensor.zeros([3, 1])], dimension: 1) }
        let parts = try c.chunked(3, dimension: 1)
        #expect(parts[2].scalars == [5, 6])
    }
}
