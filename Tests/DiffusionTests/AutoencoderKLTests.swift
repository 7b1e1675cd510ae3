import Foundation
import Testing
import Tensor
import Weights
@testable import Diffusion

@Suite struct AutoencoderKLTests {
    static func load() throws -> AutoencoderKL {
        try AutoencoderKL(directory: SDModelFixtures.component("tiny-sd1", "vae"))
    }

    @Test func encodeMatchesDiffusers() throws {
        let vae = try Self.load()
        let io = try SDModelFixtures.IO("tiny-sd1", "vae")
        let posterior = try vae.encode(io.tensor("inputs.image"))
        expectClose(posterior.mean, try io.tensor("outputs.encode.mean"), "tiny-sd1/vae/encode.mean")
        expectClose(posterior.logvar, try io.tensor("outputs.encode.logvar"), "tiny-sd1/vae/encode.logvar")
    }

    @Test func decodeMatchesDiffusers() throws {
        let vae = try Self.load()
        let io = try SDModelFixtures.IO("tiny-sd1", "vae")
        expectClose(try vae.decode(io.tensor("inputs.latents")), try io.tensor("outputs.decode"), "tiny-sd1/vae/decode")
    }

    @Test func configurationAndLayout() throws {
        let vae = try Self.load()
        #expect(vae.configuration.scalingFactor == 0.18215 && vae.configuration.shiftFactor == nil)
        #expect(vae.configuration.downsamplingFactor == 2)
        #expect(vae.quantConv != nil && vae.postQuantConv != nil)
        #expect(vae.encoder.downBlocks.count == 2 && vae.decoder.upBlocks.count == 2)
    }

    @Test func rejectsWrongChannelCounts() throws {
        let vae = try Self.load()
        #expect(throws: TensorError.self) { try vae.encode(Tensor.zeros([1, 4, 8, 8])) }
        #expect(throws: TensorError.self) { try vae.decode(Tensor.zeros([1, 3, 8, 8])) }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["SD_MODELS_BENCH"] != nil))
    func timing() throws {
        let vae = try Self.load()
        let io = try SDModelFixtures.IO("tiny-sd1", "vae")
        let image = try io.tensor("inputs.image"), latents = try io.tensor("inputs.latents")
        benchThreads()
        _ = try vae.decode(latents)
        var encode: [Double] = [], decode: [Double] = []
        for _ in 0..<11 {
            var start = DispatchTime.now().uptimeNanoseconds
            _ = try vae.encode(image)
            encode.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            start = DispatchTime.now().uptimeNanoseconds
            _ = try vae.decode(latents)
            decode.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        print("bench tiny-sd1/vae batch 2 32x32: encode median \(encode.sorted()[5]) ms, decode median \(decode.sorted()[5]) ms")
    }
}
