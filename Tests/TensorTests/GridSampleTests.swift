import Testing
@testable import Tensor

@Suite struct GridSampleTests {
    @Test func matchPyTorch() throws {
        let fixture = try OpFixture("grid_sample")
        #expect(fixture.cases.count == 4)
        for name in fixture.cases.keys.sorted() {
            let actual = try Tensor.gridSample(fixture.tensor(name, "input"), grid: fixture.tensor(name, "grid"),
                                               padding: GridSamplePadding(rawValue: fixture.string(name, "padding_mode")!)!,
                                               alignCorners: fixture.bool(name, "align_corners")!)
            expectMatches(actual, try fixture.tensor(name, "output"), relative: 1e-5, name)
        }
    }
}
