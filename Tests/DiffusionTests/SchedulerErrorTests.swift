import Testing
@testable import Diffusion

@Suite struct SchedulerErrorTests {
    @Test func descriptionsNameWhatIsAtFault() {
        #expect(SchedulerError.unsupportedValue(key: "beta_schedule", value: "sigmoid", supported: ["linear"])
            .description.contains("beta_schedule = sigmoid"))
        #expect(SchedulerError.invalidValue(key: "num_train_timesteps", reason: "must be at least 2")
            .description.contains("num_train_timesteps"))
        #expect(SchedulerError.unsupportedScheduler("LMSDiscreteScheduler").description.contains("LMSDiscreteScheduler"))
        #expect(SchedulerError.invalidStepCount(0, reason: "must be at least 1").description.contains("0 inference steps"))
        #expect(SchedulerError.invalidTimestep(12.5, reason: "x").description.contains("12.5"))
        #expect(SchedulerError.shapeMismatch(operation: "DDIM step", shapes: [[1], [2]]).description.contains("[1] vs [2]"))
        #expect(SchedulerError.scheduleExhausted(steps: 20).description.contains("20"))
        #expect(SchedulerError.generatorRequired(scheduler: "DDPMScheduler").description.contains("DDPMScheduler"))
        #expect(SchedulerError.malformedConfiguration("not valid JSON").description.contains("not valid JSON"))
    }
}
