// The sampling loop of diffusers' pipelines (`for t in scheduler.timesteps: …`), with the model
// passed in as a closure (as stable-diffusion.cpp's samplers take `denoise_cb_t`), so the loop can be
// driven by a UNet, a guided UNet, or a fake model in tests.

import Tensor

/// Runs a scheduler from noise to a sample.
public enum DenoisingLoop {
    /// What the loop reports after each step.
    public struct Progress: Sendable {
        /// 1-based index of the step just taken.
        public let step: Int
        /// Total number of steps.
        public let steps: Int
        /// The timestep the model was just evaluated at.
        public let timestep: Float
        /// The sample after this step.
        public let sample: Tensor
    }

    /// Initial latents: `randn(shape)` from `generator` scaled by the scheduler's `initNoiseSigma`
    /// (diffusers `prepare_latents`).
    public static func initialNoise(shape: [Int], scheduler: any Scheduler, generator: inout TorchGenerator) -> Tensor {
        let noise = generator.randn(shape: shape)
        return scheduler.initNoiseSigma == 1 ? noise : Elementwise.scaled(noise, scheduler.initNoiseSigma)
    }

    /// Steps `scheduler` through all its timesteps starting from `sample`.
    ///
    /// - Parameters:
    ///   - denoise: the model: `(scaledSample, timestep) -> model output` (ε, v or x₀ as configured).
    ///   - onStep: called after every step; throw from it to stop (e.g. on cancellation or a deadline).
    public static func run(scheduler: inout any Scheduler, from sample: Tensor, generator: inout TorchGenerator,
                           denoise: (Tensor, Float) throws -> Tensor,
                           onStep: ((Progress) throws -> Void)? = nil) throws -> Tensor {
        var current = sample
        let timesteps = scheduler.timesteps
        for (index, timestep) in timesteps.enumerated() {
            let modelInput = try scheduler.scaleModelInput(current, timestep: timestep)
            let output = try denoise(modelInput, timestep)
            current = try scheduler.step(modelOutput: output, timestep: timestep, sample: current, generator: &generator)
            try onStep?(Progress(step: index + 1, steps: timesteps.count, timestep: timestep, sample: current))
        }
        return current
    }
}
