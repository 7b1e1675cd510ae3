import Testing
@testable import Tensor

@Suite struct SoftmaxTests {
    @Test func softmaxMatchesPyTorch() throws {
        let fixture = try OpFixture("softmax")
        #expect(fixture.cases.count == 3)
        for name in fixture.cases.keys.sorted() {
            let input = try fixture.tensor(name, "input"), expected = try fixture.tensor(name, "output")
            expectMatches(try input.softmax(dimension: fixture.int(name, "dim")!), expected, name)
        }
    }

    @Test func fullyMaskedSoftmaxRowIsNaN() throws {
        let row = Tensor(shape: [1, 3], values: [-.infinity, -.infinity, -.infinity])
        #expect(try row.softmax().scalars.allSatisfy(\.isNaN))
    }
}
