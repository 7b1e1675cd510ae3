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

    @Test func mutableAccessCopiesSharedStorage() {
        let a = Tensor(shape: [3], values: [1, 2, 3])
        var b = a
        b.withUnsafeMutableBufferPointer { $0[0] = 7 }
        #expect(a.scalars == [1, 2, 3] && b.scalars == [7, 2, 3])
    }

    @Test func errorsNameTheOpAndShapes() {
        do {
            _ = try Tensor.conv2d(.zeros([1, 3, 8, 8]), weight: .zeros([4, 2, 3, 3]))
            Issue.record("expected a TensorError")
        } catch {
            #expect(error.description.contains("conv2d"))
            #expect(error.description.contains("[1, 3, 8, 8]"))
        }
    }
}
