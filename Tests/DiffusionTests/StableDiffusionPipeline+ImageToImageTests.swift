import Testing
import Tensor
@testable import Diffusion

@Suite("StableDiffusionPipeline image-to-image")
struct StableDiffusionPipelineImageToImageTests {
    @Test("strength keeps int(steps × strength) steps, as Python truncates the decimal literal")
    func firstStep() {
        #expect(StableDiffusionPipeline.firstStep(steps: 20, strength: 0.6) == 8)
        #expect(StableDiffusionPipeline.firstStep(steps: 10, strength: 0.7) == 3)  // 10 × 0.7 = 7.000000000000001
        #expect(StableDiffusionPipeline.firstStep(steps: 10, strength: 0.3) == 7)
        #expect(StableDiffusionPipeline.firstStep(steps: 20, strength: 1) == 0)
        #expect(StableDiffusionPipeline.firstStep(steps: 20, strength: 0) == 20)
    }

    @Test("strength outside 0…1, a strength leaving no step, and a wrong image shape are rejected")
    func validation() throws {
        let pipeline = try SDPipelineFixtures.pipeline()
        let parameters = SDPipelineFixtures.parameters(.ddim, "x", "", 7.5, seed: 0)
        let image = Tensor(repeating: 0.5, shape: [1, 3, 32, 32])
        for strength: Float in [-0.1, 1.5, .nan, 0.01] {
            #expect(throws: PipelineError.self) {
                do {
                    _ = try pipeline.imageToImage(parameters, image: image, strength: strength) { _, _ in }
                } catch let error as PipelineError {
                    #expect(error.parameter == "strength")
                    throw error
                }
            }
        }
        #expect(throws: PipelineError.invalidInputShape(parameter: "image", shape: [1, 3, 32, 24], expected: [1, 3, 32, 32])) {
            _ = try pipeline.imageToImage(parameters, image: Tensor(repeating: 0.5, shape: [1, 3, 32, 24]),
                                          strength: 0.5) { _, _ in }
        }
    }

    @Test("progress counts only the steps run")
    func progressCountsKeptSteps() throws {
        let pipeline = try SDPipelineFixtures.pipeline()
        var parameters = SDPipelineFixtures.parameters(.ddim, "x", "", 1, seed: 0)
        parameters.steps = 4
        var seen: [[Int]] = []
        _ = try pipeline.imageToImage(parameters, image: Tensor(repeating: 0.5, shape: [1, 3, 32, 32]),
                                      strength: 0.5) { seen.append([$0, $1]) }
        #expect(seen == [[1, 2], [2, 2]])
    }
}
