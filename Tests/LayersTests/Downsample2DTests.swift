import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct Downsample2DTests {
    @Test func matchesDiffusersDownsample2D() throws {
        try checkParity("sampling", module: "Downsample2D") { scope, c in
            let layer = try Downsample2D(scope, channels: c.requiredInt("channels"), useConv: c.bool("use_conv") ?? false,
                                         outChannels: c.int("out_channels"), padding: c.int("padding") ?? 1)
            return ["output": try layer(c.input("input"))]
        }
    }
}
