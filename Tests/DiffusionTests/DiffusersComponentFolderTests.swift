import Foundation
import Testing
import Weights
@testable import Diffusion

@Suite struct DiffusersComponentFolderTests {
    @Test func resolvesPlainAndVariantWeightFiles() throws {
        let sd2 = SDModelFixtures.component("tiny-sd2", "unet")
        #expect(try DiffusersComponentFolder.weightsURL(in: sd2).lastPathComponent == "diffusion_pytorch_model.safetensors")
        let sd1 = SDModelFixtures.component("tiny-sd1", "unet")
        #expect(try DiffusersComponentFolder.weightsURL(in: sd1).lastPathComponent == "diffusion_pytorch_model.fp16.safetensors")
        #expect(try DiffusersComponentFolder.weightsURL(in: sd1, variant: "fp16").lastPathComponent
                == "diffusion_pytorch_model.fp16.safetensors")
        #expect(throws: WeightsError.self) { try DiffusersComponentFolder.weightsURL(in: sd2, variant: "fp16") }
    }
}
