import Testing
import Tensor
@testable import Diffusion

@Suite struct DiagonalGaussianDistributionTests {
    @Test func splitsMomentsAndClampsLogvar() throws {
        let moments = Tensor(shape: [1, 2, 1, 2], values: [0.5, -1, 40, -45])
        let distribution = try DiagonalGaussianDistribution(moments: moments)
        #expect(distribution.mean.scalars == [0.5, -1])
        #expect(distribution.mode().scalars == [0.5, -1])
        #expect(distribution.logvar.scalars == [20, -30])
        #expect(throws: TensorError.self) { try DiagonalGaussianDistribution(moments: Tensor.zeros([1, 3, 2, 2])) }
    }

    /// `latent_dist.sample(generator=torch.Generator().manual_seed(0))` of the fixture VAE.
    @Test func sampleMatchesDiffusersWithTheSameSeed() throws {
        let vae = try AutoencoderKLTests.load()
        let io = try SDModelFixtures.IO("tiny-sd1", "vae")
        let posterior = try vae.encode(io.tensor("inputs.image"))
        var generator = TorchGenerator(seed: 0)
        expectClose(posterior.sample(generator: &generator), try io.tensor("outputs.encode.sample"), "tiny-sd1/vae/encode.sample")
    }

    @Test func perItemGeneratorsDrawEachItemFromItsOwnSeed() throws {
        let moments = Tensor(shape: [2, 2, 4, 4], values: (0..<64).map { Float($0 % 5) * 0.1 })
        let distribution = try DiagonalGaussianDistribution(moments: moments)
        var generators = [TorchGenerator(seed: 7), TorchGenerator(seed: 7)]
        let drawn = try distribution.sample(generators: &generators)
        let values = drawn.scalars
        let means = distribution.mean.scalars, std = distribution.standardDeviation.scalars
        // Same seed for both items: the normalised noise is identical.
        for i in 0..<16 {
            let first = (values[i] - means[i]) / std[i], second = (values[16 + i] - means[16 + i]) / std[16 + i]
            #expect(abs(first - second) < 1e-5)
        }
        var wrongCount = [TorchGenerator(seed: 1)]
        #expect(throws: SchedulerError.self) { try distribution.sample(generators: &wrongCount) }
    }
}
