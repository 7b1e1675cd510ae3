import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct ResnetBlock2DTests {
    @Test func matchesDiffusersResnetBlock2D() throws {
        try checkParity("resnet", module: "ResnetBlock2D") { scope, c in
            let layer = try ResnetBlock2D(
                scope, inChannels: c.requiredInt("in_channels"), outChannels: c.int("out_channels"),
                tembChannels: c.int("temb_channels"), groups: c.requiredInt("groups"), eps: c.float("eps") ?? 1e-6,
                timeEmbeddingNorm: TimeEmbeddingNorm(rawValue: c.string("time_embedding_norm") ?? "default") ?? .default,
                outputScaleFactor: c.float("output_scale_factor") ?? 1, useInShortcut: c.bool("use_in_shortcut"),
                convShortcutBias: c.bool("conv_shortcut_bias") ?? true)
            return ["output": try layer(c.input("input"), temb: c.optionalInput("temb"))]
        }
    }
}
