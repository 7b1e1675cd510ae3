import Testing
@testable import Tensor

@Suite struct TensorTests {
    @Test func viewsShareStorageAndCopyOnWrite() throws {
        var a = Tensor(shape: [2, 3], values: [0, 1, 2, 3, 4, 5])
        let t = try a.transposed()
        #expect(t.shape == [3, 2] && !t.isContiguous)
        #expect(t.scalars == [0, 3, 1, 4, 2, 5])
        #expect(t.storage === a.storage)
        a[0, 0] = 9  // copy-on-write: the view keeps the old values
        #expect(t[0, 0] == 0 && a[0, 0] == 9)
    }

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

    @Test func concatenateAndChunk() throws {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4]), b = Tensor(shape: [2, 1], values: [5, 6])
        let c = try Tensor.concatenate([a, b], dimension: 1)
        #expect(c.shape == [2, 3] && c.scalars == [1, 2, 5, 3, 4, 6])
        #expect(throws: TensorError.self) { try Tensor.concatenate([a, Tensor.zeros([3, 1])], dimension: 1) }
        let parts = try c.chunked(3, dimension: 1)
        #expect(parts[2].scalars == [5, 6])
    }
}
