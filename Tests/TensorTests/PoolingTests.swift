import Testing
@testable import Tensor

@Suite struct PoolingTests {
    @Test func matchPyTorch() throws {
        let fixture = try OpFixture("pool")
        #expect(fixture.cases.count == 7)
        for name in fixture.cases.keys.sorted() {
            let input = try fixture.tensor(name, "input"), expected = try fixture.tensor(name, "output")
            let kernel = fixture.pair(name, "kernel")!, stride = fixture.pair(name, "stride")!, padding = fixture.pair(name, "padding")!
            let ceil = fixture.bool(name, "ceil_mode")!
            switch fixture.string(name, "op")! {
            case "avg_pool2d":
                let actual = try input.avgPool2d(kernel: kernel, stride: stride, padding: padding, ceilMode: ceil,
                                                 countIncludePad: fixture.bool(name, "count_include_pad")!)
                expectMatches(actual, expected, relative: 1e-6, name)
            case "max_pool2d":
                let actual = try input.maxPool2d(kernel: kernel, stride: stride, padding: padding,
                                                 dilation: fixture.pair(name, "dilation")!, ceilMode: ceil)
                expectMatches(actual, expected, relative: 0, name)
            case let op: Issue.record("unknown op \(op)")
            }
        }
    }
}
