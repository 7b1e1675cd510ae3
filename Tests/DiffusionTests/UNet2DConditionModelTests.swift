import Foundation
import Testing
import Tensor
import Weights
@testable import Diffusion

@Suite struct UNet2DConditionModelTests {
    /// One forward per fixture call: `plain` (two timesteps, no mask) and `masked` (one fractional timestep, a keep
    /// mask with padding), against diffusers 0.35.2.
    @Test(arguments: ["tiny-sd1", "tiny-sd2", "tiny-options"])
    func matchesDiffusers(model name: String) throws {
        let unet = try UNet2DConditionModel(directory: SDModelFixtures.component(name, "unet"))
        let io = try SDModelFixtures.IO(name, "unet")
        let sample = try io.tensor("inputs.sample")
        let context = try io.tensor("inputs.encoder_hidden_states")
        let plain = try unet(sample, timestep: io.tensor("inputs.plain.timesteps").scalars, encoderHiddenStates: context)
        expectClose(plain, try io.tensor("outputs.plain"), "\(name)/unet/plain")
        let masked = try unet(sample, timestep: io.tensor("inputs.masked.timesteps").scalars, encoderHiddenStates: context,
                              encoderAttentionMask: io.tensor("inputs.encoder_attention_mask"))
        expectClose(masked, try io.tensor("outputs.masked"), "\(name)/unet/masked")
    }

    @Test func keyLayoutMirrorsDiffusers() throws {
        let unet = try UNet2DConditionModel(directory: SDModelFixtures.component("tiny-sd2", "unet"))
        #expect(unet.downBlocks.count == 3 && unet.upBlocks.count == 3)
        #expect(unet.downBlocks.map(\.hasCrossAttention) == [true, true, false])
        #expect(unet.upBlocks.map(\.hasCrossAttention) == [false, true, true])
        #expect(unet.upBlocks.map(\.upsamples) == [true, true, false])
        #expect(unet.upBlocks.map(\.resnetCount) == [2, 2, 2])
    }

    @Test func rejectsMismatchedInputs() throws {
        let unet = try UNet2DConditionModel(directory: SDModelFixtures.component("tiny-sd1", "unet"))
        let sample = Tensor.zeros([2, 4, 8, 8])
        let context = Tensor.zeros([2, 3, 32])
        #expect(throws: TensorError.self) { try unet(sample, timestep: [1, 2, 3], encoderHiddenStates: context) }
        #expect(throws: TensorError.self) { try unet(Tensor.zeros([2, 3, 8, 8]), timestep: 1, encoderHiddenStates: context) }
        #expect(throws: TensorError.self) {
            try unet(sample, timestep: 1, encoderHiddenStates: context, encoderAttentionMask: Tensor.ones([2, 4]))
        }
        #expect(throws: TensorError.self) { try unet(sample, timestep: 1, encoderHiddenStates: Tensor.zeros([1, 3, 32])) }
    }

    /// One forward of each fixture config (batch 2), median of 11 after a warm-up; printed for the report.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SD_MODELS_BENCH"] != nil), arguments: ["tiny-sd1", "tiny-sd2"])
    func forwardTiming(model name: String) throws {
        let unet = try UNet2DConditionModel(directory: SDModelFixtures.component(name, "unet"))
        let io = try SDModelFixtures.IO(name, "unet")
        let sample = try io.tensor("inputs.sample")
        let context = try io.tensor("inputs.encoder_hidden_states")
        let timesteps = try io.tensor("inputs.plain.timesteps").scalars
        benchThreads()
        _ = try unet(sample, timestep: timesteps, encoderHiddenStates: context)
        var times: [Double] = []
        for _ in 0..<11 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try unet(sample, timestep: timesteps, encoderHiddenStates: context)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        print("bench \(name)/unet forward batch 2 \(sample.shape): median \(times.sorted()[5]) ms")
    }
}
