import Testing
import Tensor
import Weights
@testable import Diffusion

@Suite struct VAEDecoderTests {
    /// The decoder alone (no `post_quant_conv`) asks for exactly the `decoder.` keys and doubles the resolution per
    /// upsampler.
    @Test func loadsTheDecoderScopeAndUpsamples() throws {
        let folder = SDModelFixtures.component("tiny-sd1", "vae")
        let configuration = try ModelConfiguration.decode(AutoencoderKL.Configuration.self, fromDirectory: folder)
        let store = try DiffusersComponentFolder.store(in: folder)
        let decoder = try VAEDecoder(store.scoped("decoder"), configuration: configuration)
        let report = store.report()
        #expect(report.missingKeys.isEmpty && report.shapeMismatches.isEmpty)
        #expect(report.unexpectedKeys.allSatisfy { !$0.hasPrefix("decoder.") })
        #expect(try decoder(Tensor.zeros([2, 4, 5, 7])).shape == [2, 3, 10, 14])
    }
}
