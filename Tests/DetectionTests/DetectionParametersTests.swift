import Testing
@testable import Detection

/// Request defaults and validation.
@Suite struct DetectionParametersTests {
    @Test func defaultsComeFromTheConfiguration() throws {
        let configuration = try SyntheticDiffusionDet.configuration()
        let parameters = DetectionParameters(defaults: configuration, seed: 9)
        #expect(parameters == DetectionParameters(steps: 2, proposals: 30, scoreThreshold: 0.3, seed: 9, includeFinalStep: true))
        try parameters.validate(timesteps: 1000)
    }

    @Test(arguments: [
        (DetectionParameters(steps: 0, proposals: 10, scoreThreshold: 0.5), "steps"),
        (DetectionParameters(steps: 1001, proposals: 10, scoreThreshold: 0.5), "steps"),
        (DetectionParameters(steps: 4, proposals: 0, scoreThreshold: 0.5), "proposals"),
        (DetectionParameters(steps: 4, proposals: 5001, scoreThreshold: 0.5), "proposals"),
        (DetectionParameters(steps: 4, proposals: 10, scoreThreshold: -0.1), "scoreThreshold"),
        (DetectionParameters(steps: 4, proposals: 10, scoreThreshold: .nan), "scoreThreshold"),
    ])
    func invalidValuesNameTheirParameter(parameters: DetectionParameters, name: String) {
        do {
            try parameters.validate(timesteps: 1000)
            Issue.record("\(parameters) was accepted")
        } catch {
            guard case .invalidParameter(let parameter, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(parameter == name)
        }
    }
}
