import Testing
@testable import Tensor

@Suite struct InterpolationTests {
    @Test func matchPyTorch() throws {
        let fixture = try OpFixture("interpolate")
        #expect(fixture.cases.count == 9)
        for name in fixture.cases.keys.sorted() {
            let input = try fixture.tensor(name, "input"), expected = try fixture.tensor(name, "output")
            let size = fixture.pair(name, "size"), scale = fixture.doublePair(name, "scale_factor")
            switch fixture.string(name, "op")! {
            case "nearest":
                // Nearest is a pure gather: exact.
                expectMatches(try input.upsampleNearest(size: size, scaleFactor: scale), expected, relative: 0, name)
            case "bilinear":
                let actual = try input.upsampleBilinear(size: size, scaleFactor: scale, alignCorners: fixture.bool(name, "align_corners")!)
                expectMatches(actual, expected, relative: 1e-5, name)
            case let op: Issue.record("unknown op \(op)")
            }
        }
    }
}
