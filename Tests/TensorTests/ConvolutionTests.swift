import Testing
@testable import Tensor

@Suite struct ConvolutionTests {
    @Test func matchPyTorch() throws {
        let fixture = try OpFixture("conv")
        #expect(fixture.cases.count == 10)
        for name in fixture.cases.keys.sorted() {
            let parameters = Conv2DParameters(stride: fixture.pair(name, "stride")!, padding: fixture.pair(name, "padding")!,
                                              dilation: fixture.pair(name, "dilation")!, groups: fixture.int(name, "groups")!)
            let actual = try Tensor.conv2d(fixture.tensor(name, "input"), weight: fixture.tensor(name, "weight"),
                                           bias: fixture.optionalTensor(name, "bias"), parameters: parameters)
            expectMatches(actual, try fixture.tensor(name, "output"), name)
        }
    }

    @Test func rejectsChannelMismatch() {
        #expect(throws: TensorError.self) {
            try Tensor.conv2d(.zeros([1, 3, 8, 8]), weight: .zeros([4, 2, 3, 3]))
        }
        #expect(throws: TensorError.self) {
            try Tensor.conv2d(.zeros([1, 4, 2, 2]), weight: .zeros([4, 4, 3, 3]))
        }
    }
}
