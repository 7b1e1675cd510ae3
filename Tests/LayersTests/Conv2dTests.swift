import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct Conv2dTests {
    @Test func matchesTorchConv2d() throws {
        try checkParity("conv2d", module: "Conv2d") { scope, c in
            let layer = try Conv2d(scope, inChannels: c.requiredInt("in_channels"), outChannels: c.requiredInt("out_channels"),
                                   kernelSize: c.pair("kernel_size") ?? (1, 1), stride: c.pair("stride") ?? (1, 1),
                                   padding: c.pair("padding") ?? (0, 0), dilation: c.pair("dilation") ?? (1, 1),
                                   groups: c.int("groups") ?? 1, bias: c.bool("bias") ?? true)
            return ["output": try layer(c.input("input"))]
        }
    }

    @Test func rejectsChannelsNotDivisibleByGroups() throws {
        let store = try ParameterStore(files: [])
        #expect(throws: WeightsError.self) {
            try Conv2d(store.root, inChannels: 6, outChannels: 4, kernelSize: 3, groups: 4)
        }
    }
}
