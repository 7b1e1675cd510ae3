import Foundation
import Testing
import Tensor
@testable import Diffusion
@testable import Story

/// One guided UNet step and a 2-frame autoregressive story vs Tools/reference/arldm_ref.py `StoryModel`
/// (`guided_noise`, DDIM `step`, `sample`) on the bundled base UNet/VAE with a random history encoder.
@Suite("StoryPipeline")
struct StoryPipelineTests {
    @Test("loads the story folder: frame size from the UNet and VAE, context (1 + V)·S")
    func loads() throws {
        let pipeline = try StoryFixtures.pipeline()
        #expect(pipeline.frameSize == 32)
        #expect(pipeline.latentShape == [1, 4, 8, 8])
        #expect(pipeline.configuration.contextLength == 96)
    }

    @Test("a folder whose components disagree is refused with StoryError.invalidStoryFolder")
    func inconsistentFolder() throws {
        let manager = FileManager.default
        let folder = manager.temporaryDirectory.appendingPathComponent("story-\(UUID().uuidString)", isDirectory: true)
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? manager.removeItem(at: folder) }
        for name in ["unet", "vae", "text_encoder", "tokenizer", "scheduler", "history_encoder", "story_embeddings.safetensors"] {
            try manager.createSymbolicLink(at: folder.appendingPathComponent(name),
                                           withDestinationURL: StoryFixtures.folder.appendingPathComponent(name).resolvingSymlinksInPath())
        }
        // caption_length 17 exceeds the history encoder's 16 positions.
        let config = #"{"_class_name": "ARLDMStoryPipeline", "max_frames": 5, "caption_length": 17, "hidden_size": 64, "guidance_scale": 5, "num_inference_steps": 25}"#
        try config.write(to: folder.appendingPathComponent("story_config.json"), atomically: true, encoding: .utf8)
        let error = #expect(throws: StoryError.self) { try StoryPipeline(directory: folder) }
        guard case .invalidStoryFolder(_, let reason) = error else {
            Issue.record("expected invalidStoryFolder, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("caption_length 17"))
    }

    @Test("one guided UNet step (w = 5, key masks) and its DDIM update match within 1e-4 of scale")
    func guidedStep() throws {
        let pipeline = try StoryFixtures.pipeline()
        let conditioner = pipeline.conditioner
        var history = try conditioner.emptyHistory()
        try history.write(conditioner.historySlot(image: StoryFixtures.frame(0), caption: StoryFixtures.captions[0],
                                                  frame: 0), at: 0)
        let conditional = try conditioner.context(frame: 1, caption: StoryFixtures.captions[1], history: history)
        let unconditional = try conditioner.nullContext(frame: 1)
        var scheduler: any Scheduler = try DDIMScheduler(configuration: pipeline.schedulerConfiguration,
                                                         inferenceSteps: StoryFixtures.stepCount)
        let timestep = scheduler.timesteps[StoryFixtures.stepIndex]
        #expect(timestep == (try StoryFixtures.tensor("step.timestep")).scalars[0])
        let latents = try StoryFixtures.tensor("step.latents")
        let noise = try pipeline.guidedNoise(latents, timestep: timestep, conditional: conditional,
                                             unconditional: unconditional, guidanceScale: StoryFixtures.guidance)
        let previous = try scheduler.step(modelOutput: noise.guided, timestep: timestep, sample: latents)
        for (name, value) in [("noise_uncond", noise.unconditional), ("noise_cond", noise.conditional),
                              ("noise_pred", noise.guided), ("prev_sample", previous)] {
            let expected = try StoryFixtures.tensor("step.\(name)")
            let error = StoryFixtures.relativeError(value, expected)
            print("parity story step \(name): max abs error \(value.maxAbsDifference(expected)), scale \(expected.maxAbs()), relative \(error)")
            #expect(value.shape == expected.shape)
            #expect(error <= 1e-4, "\(name)")
        }
    }

    @Test("a 2-frame autoregressive story from the recorded noise matches the reference within 1e-3")
    func twoFrameStory() throws {
        let pipeline = try StoryFixtures.pipeline()
        let noise = try (0..<2).map { try StoryFixtures.tensor("run.noise.\($0)") }
        let parameters = StoryParameters(captions: Array(StoryFixtures.captions.prefix(2)), steps: StoryFixtures.runSteps,
                                         guidanceScale: StoryFixtures.guidance, seed: StoryFixtures.runSeed)
        var streamed: [Int] = []
        var checkpoints: [StoryProgress] = []
        let clock = ContinuousClock()
        let start = clock.now
        let frames = try pipeline.generate(parameters, initialNoise: noise, checkpoint: { checkpoints.append($0) },
                                           onFrame: { streamed.append($0.index) })
        let elapsed = clock.now - start
        #expect(streamed == [0, 1])
        #expect(checkpoints.count == 2 * StoryFixtures.runSteps)
        #expect(checkpoints.first == StoryProgress(frame: 0, step: 0, steps: StoryFixtures.runSteps))
        #expect(checkpoints.last == StoryProgress(frame: 1, step: StoryFixtures.runSteps - 1, steps: StoryFixtures.runSteps))
        for frame in frames {
            let latents = try StoryFixtures.tensor("run.latents.\(frame.index)")
            let image = try StoryFixtures.tensor("run.image.\(frame.index)")
            let latentError = frame.latents.maxAbsDifference(latents)
            let imageError = frame.image.maxAbsDifference(image)
            print("parity story run frame \(frame.index): latents max abs error \(latentError) (scale \(latents.maxAbs())), image max abs error \(imageError), \(elapsed) for the story")
            #expect(latentError <= 1e-3)
            #expect(imageError <= 1e-3)
        }
    }

    @Test("a 16×16 latent grid (outer DownBlock2D / UpBlock2D level, VAE with one downsampling) runs the reference's story")
    func fineGridStory() throws {
        let pipeline = try StoryPipeline(directory: StoryFixtures.fineFolder)
        #expect(pipeline.frameSize == 32)
        #expect(pipeline.latentShape == [1, 4, 16, 16])
        let noise = try (0..<2).map { try StoryFixtures.fineTensor("run.noise.\($0)") }
        let parameters = StoryParameters(captions: Array(StoryFixtures.captions.prefix(2)), steps: StoryFixtures.runSteps,
                                         guidanceScale: StoryFixtures.guidance, seed: StoryFixtures.runSeed)
        let frames = try pipeline.generate(parameters, initialNoise: noise, checkpoint: { _ in }, onFrame: { _ in })
        #expect(frames.count == 2)
        for frame in frames {
            let latents = try StoryFixtures.fineTensor("run.latents.\(frame.index)")
            let image = try StoryFixtures.fineTensor("run.image.\(frame.index)")
            let latentError = StoryFixtures.relativeError(frame.latents, latents)
            let imageError = frame.image.maxAbsDifference(image)
            print("parity fine-grid story frame \(frame.index): latents relative error \(latentError) (scale \(latents.maxAbs())), image max abs error \(imageError)")
            #expect(frame.latents.shape == [1, 4, 16, 16])
            #expect(latentError <= 1e-4)
            #expect(imageError <= 1e-3)
        }
    }

    @Test("seeded noise is the reference's torch.Generator(7) draws, frame by frame")
    func seededNoise() throws {
        var generator = TorchGenerator(seed: StoryFixtures.runSeed)
        for frame in 0..<2 {
            let drawn = generator.randn(shape: [1, 4, 8, 8])
            #expect(drawn.maxAbsDifference(try StoryFixtures.tensor("run.noise.\(frame)")) <= 1e-6)
        }
    }

    @Test("the history changes frame 1: the first generated frame reaches the next through its slot")
    func historyPropagates() throws {
        let pipeline = try StoryFixtures.pipeline()
        let conditioner = pipeline.conditioner
        let empty = try conditioner.emptyHistory()
        var history = empty
        try history.write(conditioner.historySlot(image: StoryFixtures.frame(0), caption: StoryFixtures.captions[0],
                                                  frame: 0), at: 0)
        let withHistory = try conditioner.context(frame: 1, caption: StoryFixtures.captions[1], history: history)
        let without = try conditioner.context(frame: 1, caption: StoryFixtures.captions[1], history: empty)
        let latents = try StoryFixtures.tensor("step.latents")
        let timestep = try StoryFixtures.tensor("step.timestep").scalars[0]
        let a = try pipeline.unet(latents, timestep: timestep, encoderHiddenStates: withHistory.tokens,
                                  encoderAttentionMask: withHistory.keyMask)
        let b = try pipeline.unet(latents, timestep: timestep, encoderHiddenStates: without.tokens,
                                  encoderAttentionMask: without.keyMask)
        #expect(a.maxAbsDifference(b) > 1e-2)
    }

    @Test("a throwing checkpoint stops the story: the error propagates and no later frame is reported")
    func cancellation() throws {
        struct Cancelled: Error, Equatable {}
        let pipeline = try StoryFixtures.pipeline()
        let parameters = StoryParameters(captions: Array(StoryFixtures.captions.prefix(2)), steps: 3, guidanceScale: 5,
                                         seed: 0)
        var streamed: [Int] = []
        var calls = 0
        #expect(throws: Cancelled()) {
            _ = try pipeline.generate(parameters, checkpoint: { progress in
                calls += 1
                if progress.frame == 1 && progress.step == 1 { throw Cancelled() }
            }, onFrame: { streamed.append($0.index) })
        }
        #expect(streamed == [0])
        #expect(calls == 5)
    }

    @Test("continuation: a given frame fills slot 0 and only later frames are generated")
    func continuation() throws {
        let pipeline = try StoryFixtures.pipeline()
        let parameters = StoryParameters(captions: Array(StoryFixtures.captions.prefix(2)),
                                         givenFrames: [try StoryFixtures.frame(0)], steps: 2, guidanceScale: 5, seed: 3)
        let frames = try pipeline.generate(parameters)
        #expect(frames.map(\.index) == [1])
        #expect(frames[0].image.shape == [1, 3, 32, 32])
    }

    @Test("invalid parameters name the parameter")
    func validation() throws {
        let pipeline = try StoryFixtures.pipeline()
        let valid = StoryParameters(captions: ["a"], steps: 2, guidanceScale: 5, seed: 0)
        func parameter(_ change: (inout StoryParameters) -> Void) -> String? {
            var parameters = valid
            change(&parameters)
            do {
                _ = try pipeline.generate(parameters)
                return nil
            } catch let error as StoryError {
                return error.parameter
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(parameter { $0.captions = [] } == "captions")
        #expect(parameter { $0.captions = Array(repeating: "a", count: 6) } == "captions")
        #expect(parameter { $0.givenFrames = [Tensor.zeros([1, 3, 32, 32])] } == "givenFrames")
        #expect(parameter { $0.captions = ["a", "b"]; $0.givenFrames = [Tensor.zeros([1, 3, 16, 16])] } == "givenFrames")
        #expect(parameter { $0.steps = 0 } == "steps")
        #expect(parameter { $0.guidanceScale = .nan } == "guidanceScale")
    }
}
