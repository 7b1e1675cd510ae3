import Testing
import Tensor
import Weights
@testable import Diffusion

@Suite struct VAEEncoderTests {
    /// The encoder alone (no `quant_conv`) yields 2 × latent channels at 1/2 resolution for the 2-block fixture.
    @Test func producesMomentsAtLatentResolution() throws {
        let folder = SDModelFixtures.component("tiny-sd1", "vae")
        let configuration = try ModelConfiguration.decode(AutoencoderKL.Configuration.self, fromDirectory: folder)
        let store = try DiffusersComponentFolder.store(in: folder)
        let encoder = try VAEEncoder(store.scoped("encoder"), configuration: configuration)
        let report = store.report()
        #expect(report.missingKeys.isEmpty && report.shapeMismatches.isEmpty)
        #expect(report.unexpectedKeys.allSatisfy { !$0.hasPrefix("encoder.") })
        let moments = try encoder(Tensor.zeros([1, 3, 32, 32]))
        #expect(moments.shape == [1, 8, 16, 16])
    }
}
