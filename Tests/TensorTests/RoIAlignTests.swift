import Testing
@testable import Tensor

@Suite struct RoIAlignTests {
    @Test func matchTorchvisionSemantics() throws {
        let fixture = try OpFixture("roi_align")
        #expect(fixture.cases.count == 4)
        for name in fixture.cases.keys.sorted() {
            let actual = try Tensor.roiAlign(
                fixture.tensor(name, "input"), boxes: fixture.tensor(name, "boxes"), outputSize: fixture.pair(name, "output_size")!,
                spatialScale: fixture.float(name, "spatial_scale")!, samplingRatio: fixture.int(name, "sampling_ratio")!,
                aligned: fixture.bool(name, "aligned")!)
            expectMatches(actual, try fixture.tensor(name, "output"), name)
        }
    }

    @Test func rejectsBadBatchIndex() {
        #expect(throws: TensorError.self) {
            try Tensor.roiAlign(.zeros([1, 1, 4, 4]), boxes: Tensor(shape: [1, 5], values: [3, 0, 0, 2, 2]),
                                outputSize: (2, 2), spatialScale: 1, samplingRatio: 2, aligned: true)
        }
    }
}
