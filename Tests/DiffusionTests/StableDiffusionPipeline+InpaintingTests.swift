import Testing
import Tensor
@testable import Diffusion

@Suite("StableDiffusionPipeline inpainting")
struct StableDiffusionPipelineInpaintingTests {
    @Test("the mask is binarised at 0.5 and downsampled by nearest neighbour (top-left of each cell)")
    func latentMask() {
        var values = [Float](repeating: 0, count: 16)
        values[0] = 0.5   // (0, 0) → cell (0, 0)
        values[1] = 1     // (0, 1) is not sampled
        values[10] = 0.9  // (2, 2) → cell (1, 1)
        values[8] = 0.49  // (2, 0) → cell (1, 0), below the threshold
        let mask = StableDiffusionPipeline.latentMask(Tensor(shape: [1, 1, 4, 4], values: values), height: 2, width: 2)
        #expect(mask == [1, 0, 0, 1])
    }

    @Test("blend keeps the known latents where the mask is 0, over every batch item and channel")
    func blend() {
        let known = Tensor(repeating: 7, shape: [2, 2, 1, 2])
        let generated = Tensor(repeating: -1, shape: [2, 2, 1, 2])
        let blended = StableDiffusionPipeline.blend(known: known, generated: generated, mask: [0, 1])
        #expect(blended.scalars == [7, -1, 7, -1, 7, -1, 7, -1])
    }

    @Test("a mask or image of the wrong shape is rejected, naming it")
    func validation() throws {
        let pipeline = try SDPipelineFixtures.pipeline()
        let parameters = SDPipelineFixtures.parameters(.ddim, "x", "", 7.5, seed: 0)
        let image = Tensor(repeating: 0.5, shape: [1, 3, 32, 32])
        #expect(throws: PipelineError.invalidInputShape(parameter: "mask", shape: [1, 3, 32, 32], expected: [1, 1, 32, 32])) {
            _ = try pipeline.inpaint(parameters, image: image, mask: image) { _, _ in }
        }
        #expect(throws: PipelineError.invalidInputShape(parameter: "image", shape: [2, 3, 32, 32], expected: [1, 3, 32, 32])) {
            _ = try pipeline.inpaint(parameters, image: Tensor(repeating: 0.5, shape: [2, 3, 32, 32]),
                                     mask: Tensor(repeating: 1, shape: [1, 1, 32, 32])) { _, _ in }
        }
    }
}
