// The scheduler abstraction shared by all samplers, shaped like candle's `Scheduler` trait and
// Apple ml-stable-diffusion's `Scheduler` protocol, with diffusers' method semantics.

import Tensor

/// A diffusion sampler's time discretisation and update rule.
///
/// Usage follows diffusers' pipelines: multiply the initial noise by `initNoiseSigma`, then for each
/// `t` in `timesteps` call the model on `scaleModelInput(sample, timestep: t)` and pass its output to
/// `step`. `DenoisingLoop` runs exactly that loop with a denoise closure.
///
/// Schedulers are values: a copy taken before stepping restarts from the same state.
public protocol Scheduler: Sendable {
    /// The diffusers class this type mirrors (its `_class_name`).
    static var kind: SchedulerKind { get }
    /// Model timesteps in the order they are visited (integers for DDPM/DDIM/PNDM/DPM-Solver, possibly
    /// fractional for the Euler family). A timestep may repeat (PNDM with `skip_prk_steps`).
    var timesteps: [Float] { get }
    /// The standard deviation of the initial noise (`init_noise_sigma`).
    var initNoiseSigma: Float { get }
    /// Whether `step` draws from the generator (ancestral / stochastic samplers).
    var drawsNoise: Bool { get }
    /// The input the model should see at `timestep` (`scale_model_input`).
    func scaleModelInput(_ sample: Tensor, timestep: Float) throws(SchedulerError) -> Tensor
    /// One reverse-process update x_t → x_{t−1} (`step(...).prev_sample`).
    mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor,
                       generator: inout TorchGenerator) throws(SchedulerError) -> Tensor
    /// Forward-diffuses a clean sample to `timestep` (`add_noise`), e.g. for img2img.
    func addNoise(original: Tensor, noise: Tensor, timestep: Float) throws(SchedulerError) -> Tensor
}

extension Scheduler {
    /// `step` for deterministic schedulers; throws `generatorRequired` when the scheduler draws noise.
    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor) throws(SchedulerError) -> Tensor {
        if drawsNoise { throw .generatorRequired(scheduler: Self.kind.rawValue) }
        var unused = TorchGenerator(seed: 0)
        return try step(modelOutput: modelOutput, timestep: timestep, sample: sample, generator: &unused)
    }
}

/// Converts a float timestep back to the integer training timestep it names.
func integerTimestep(_ timestep: Float, trainSteps: Int) throws(SchedulerError) -> Int {
    guard timestep.isFinite, timestep == timestep.rounded(), timestep >= 0, timestep < Float(trainSteps) else {
        throw .invalidTimestep(timestep, reason: "expected an integer in 0..<\(trainSteps)")
    }
    return Int(timestep)
}

/// diffusers' `index_for_timestep`: the first match, or the second when the timestep occurs more than once.
func scheduleIndex(of timestep: Float, in timesteps: [Float]) -> Int? {
    var first: Int?
    for (i, t) in timesteps.enumerated() where t == timestep {
        if first != nil { return i }
        first = i
    }
    return first
}
