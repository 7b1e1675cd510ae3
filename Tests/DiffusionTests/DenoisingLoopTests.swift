import Testing
import Tensor
@testable import Diffusion

@Suite struct DenoisingLoopTests {
    struct Stop: Error {}

    @Test func reportsEveryStepAndReturnsTheLastSample() throws {
        var scheduler = try SchedulerConfiguration.stableDiffusionV1.build(inferenceSteps: 10, kind: .eulerDiscrete)
        var generator = TorchGenerator(seed: 1)
        let start = DenoisingLoop.initialNoise(shape: [1, 4, 4, 4], scheduler: scheduler, generator: &generator)
        var seen: [Int] = []
        var seenTimesteps: [Float] = []
        var last: Tensor?
        let result = try DenoisingLoop.run(scheduler: &scheduler, from: start, generator: &generator,
                                           denoise: { x, _ in Elementwise.scaled(x, 0.1) }) { progress in
            seen.append(progress.step)
            seenTimesteps.append(progress.timestep)
            #expect(progress.steps == 10)
            last = progress.sample
        }
        #expect(seen == Array(1...10))
        #expect(seenTimesteps == scheduler.timesteps)
        #expect(result.scalars == last?.scalars)
    }

    @Test func throwingFromTheObserverStopsTheLoop() throws {
        var scheduler = try SchedulerConfiguration.stableDiffusionV1.build(inferenceSteps: 10, kind: .ddim)
        var generator = TorchGenerator(seed: 1)
        var calls = 0
        #expect(throws: Stop.self) {
            _ = try DenoisingLoop.run(scheduler: &scheduler, from: Tensor.zeros([1, 4]), generator: &generator,
                                      denoise: { x, _ in calls += 1; return x }) { progress in
                if progress.step == 3 { throw Stop() }
            }
        }
        #expect(calls == 3)
    }

    @Test func modelErrorsPropagate() throws {
        var scheduler = try SchedulerConfiguration.stableDiffusionV1.build(inferenceSteps: 5, kind: .dpmSolverMultistep)
        var generator = TorchGenerator(seed: 1)
        #expect(throws: Stop.self) {
            _ = try DenoisingLoop.run(scheduler: &scheduler, from: Tensor.zeros([1, 4]), generator: &generator,
                                      denoise: { _, _ in throw Stop() })
        }
    }

    @Test func wrongModelOutputShapeIsATypedError() throws {
        var scheduler = try SchedulerConfiguration.stableDiffusionV1.build(inferenceSteps: 5, kind: .ddim)
        var generator = TorchGenerator(seed: 1)
        #expect(throws: SchedulerError.shapeMismatch(operation: "DDIM step", shapes: [[2], [1, 4]])) {
            _ = try DenoisingLoop.run(scheduler: &scheduler, from: Tensor.zeros([1, 4]), generator: &generator,
                                      denoise: { _, _ in Tensor.zeros([2]) })
        }
    }

    @Test func initialNoiseIsScaledByInitNoiseSigma() throws {
        let euler = try SchedulerConfiguration.stableDiffusionV1.build(inferenceSteps: 20, kind: .eulerDiscrete)
        var a = TorchGenerator(seed: 5), b = TorchGenerator(seed: 5)
        let scaled = DenoisingLoop.initialNoise(shape: [32], scheduler: euler, generator: &a)
        let plain = b.randn(count: 32)
        #expect(zip(scaled.scalars, plain).allSatisfy { $0 == $1 * euler.initNoiseSigma })
    }
}
