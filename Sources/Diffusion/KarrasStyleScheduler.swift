import Tensor

/// The part the k-diffusion-style samplers (`EulerDiscreteScheduler`,
/// `EulerAncestralDiscreteScheduler`) share: a σ per timestep, a step counter, and
/// diffusers' input scaling `x / √(σ² + 1)` (Karras et al. 2022, eq. 7 preconditioning).
protocol KarrasStyleScheduler: Scheduler {
    var timesteps: [Float] { get }
    /// σ for every timestep, plus the final σ.
    var sigmas: [Float] { get }
    /// The next step to take, once stepping has begun.
    var stepIndex: Int? { get }
}

extension KarrasStyleScheduler {
    /// The schedule position of `timestep` (the step counter once stepping has begun).
    func currentIndex(for timestep: Float) throws(SchedulerError) -> Int {
        if let stepIndex { return stepIndex }
        guard let index = scheduleIndex(of: timestep, in: timesteps) else {
            throw .invalidTimestep(timestep, reason: "not one of this schedule's timesteps")
        }
        return index
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Float) throws(SchedulerError) -> Tensor {
        let index = try currentIndex(for: timestep)
        guard index < timesteps.count else { throw .scheduleExhausted(steps: timesteps.count) }
        let sigma = sigmas[index]
        return Elementwise.scaled(sample, 1 / (sigma * sigma + 1).squareRoot())
    }
}
