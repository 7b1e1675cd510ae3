import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct Upsample2DTests {
    @Test func matchesDiffusersUpsample2D() throws {
        try checkParity("sampling", module: "Upsample2D") { scope, c in
            let layer = try Upsample2D(scope, channels: c.requiredInt("channels"), useConv: c.bool("use_conv") ?? false,
                                       outChannels: c.int("out_channels"))
            return ["output": try layer(c.input("input"), outputSize: c.pair("output_size"))]
        }
    }
}
