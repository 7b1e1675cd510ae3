import Testing
@testable import Diffusion

@Suite struct TimestepSpacingTests {
    @Test func leadingWithOffsetIsStableDiffusionsSchedule() {
        let timesteps = TimestepSpacing.leading.integerTimesteps(trainSteps: 1000, inferenceSteps: 20, stepsOffset: 1)
        #expect(timesteps == stride(from: 951, through: 1, by: -50).map { $0 })
    }

    @Test func trailingStartsAtTheLastTrainingStep() {
        let timesteps = TimestepSpacing.trailing.integerTimesteps(trainSteps: 1000, inferenceSteps: 3, stepsOffset: 0)
        #expect(timesteps == [999, 666, 332])
    }

    @Test func linspaceRoundsHalfToEven() {
        // linspace(0, 999, 5) = 0, 249.75, 499.5, 749.25, 999 → 0, 250, 500 (half to even), 749, 999.
        let timesteps = TimestepSpacing.linspace.integerTimesteps(trainSteps: 1000, inferenceSteps: 5, stepsOffset: 0)
        #expect(timesteps == [999, 749, 500, 250, 0])
    }

    @Test func numpyLinspaceSetsTheEndpointExactly() {
        #expect(TimestepSpacing.linspace(0, 1, count: 3) == [0, 0.5, 1])
        #expect(TimestepSpacing.linspace(2, 5, count: 1) == [2])
        #expect(TimestepSpacing.linspace(2, 5, count: 0).isEmpty)
    }
}
