import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct TimestepsTests {
    @Test func matchesDiffusersTimesteps() throws {
        try checkParity("timesteps", module: "Timesteps") { _, c in
            let layer = Timesteps(numChannels: try c.requiredInt("num_channels"), flipSinToCos: c.bool("flip_sin_to_cos") ?? true,
                                  downscaleFreqShift: c.float("downscale_freq_shift") ?? 0)
            return ["output": try layer(c.input("timesteps"))]
        }
    }
}
