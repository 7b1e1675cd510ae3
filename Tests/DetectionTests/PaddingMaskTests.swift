import Tensor
import Testing
@testable import Detection

/// Zeroing each image's padding at every resolution.
@Suite struct PaddingMaskTests {
    @Test func zeroesOutsideEachExtentScaledToTheResolution() {
        let mask = PaddingMask(batchHeight: 64, batchWidth: 96,
                               extents: [.init(height: 64, width: 64), .init(height: 32, width: 96)])
        var x = Tensor.ones([2, 2, 8, 12])  // stride 8
        mask.apply(to: &x)
        for channel in 0..<2 {
            for row in 0..<8 {
                for column in 0..<12 {
                    #expect(x[0, channel, row, column] == (column < 8 ? 1 : 0))
                    #expect(x[1, channel, row, column] == (row < 4 ? 1 : 0))
                }
            }
        }
    }
}
