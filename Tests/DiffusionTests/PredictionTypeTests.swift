import Testing
@testable import Diffusion

@Suite struct PredictionTypeTests {
    @Test func rawValuesAreDiffusersNames() {
        #expect(PredictionType(rawValue: "epsilon") == .epsilon)
        #expect(PredictionType(rawValue: "v_prediction") == .vPrediction)
        #expect(PredictionType(rawValue: "sample") == .sample)
        #expect(PredictionType(rawValue: "flow_prediction") == nil)
    }
}
