import Foundation
import Testing
import Tensor
@testable import Diffusion

/// Parity with diffusers 0.35.2 `StableDiffusionPipeline` (and the image-to-image / inpainting cases that share the
/// fixture) on the tiny random-weight pipeline: final images within 1e-3 of the 0…1 range.
@Suite("StableDiffusionPipeline")
struct StableDiffusionPipelineTests {
    @Test("loads the folder: size defaults from unet sample_size × VAE factor")
    func loadsFolder() throws {
        let pipeline = try SDPipelineFixtures.pipeline()
        #expect(pipeline.vaeScaleFactor == 2)
        #expect(pipeline.defaultSize == (width: 16, height: 16))
        #expect(pipeline.schedulerConfiguration.className == "PNDMScheduler")
    }

    @Test("final images match diffusers", arguments: SDPipelineFixtures.cases)
    func parity(_ fixture: SDPipelineFixtures.Case) throws {
        let pipeline = try SDPipelineFixtures.pipeline()
        var reported: [Int] = []
        let clock = ContinuousClock()
        let start = clock.now
        let images = try SDPipelineFixtures.run(fixture, pipeline) { step, total in
            #expect(step == reported.count + 1)
            #expect(total > 0)
            reported.append(step)
        }
        let elapsed = clock.now - start
        let expected = try SDPipelineFixtures.tensor("\(fixture.name).image")
        #expect(images.shape == expected.shape)
        let error = images.maxAbsDifference(expected)
        print("parity sd-pipeline \(fixture.name): max abs error \(error) over \(images.shape), \(reported.count) steps, \(elapsed)")
        #expect(error <= 1e-3, "\(fixture.name): max abs error \(error)")
        #expect(images.scalars.allSatisfy { (0...1).contains($0) })
    }

    @Test("a throwing progress callback stops the loop: error propagates, no further UNet call")
    func cancellation() throws {
        struct Cancelled: Error, Equatable {}
        let pipeline = try SDPipelineFixtures.pipeline()
        let parameters = SDPipelineFixtures.parameters(.eulerAncestralDiscrete, SDPipelineFixtures.prompt, "", 7.5, seed: 1)
        var evaluations = 0
        var steps: [Int] = []
        #expect(throws: Cancelled()) {
            _ = try pipeline.generate(parameters, progress: { step, total in
                #expect(total == 20)
                steps.append(step)
                if step == 5 { throw Cancelled() }
            }, willEvaluateModel: { evaluations += 1 })
        }
        #expect(steps == [1, 2, 3, 4, 5])
        #expect(evaluations == 5)
    }

    @Test("invalid parameters throw PipelineError naming the parameter")
    func validation() throws {
        let pipeline = try SDPipelineFixtures.pipeline()
        let valid = SDPipelineFixtures.parameters(.ddim, "x", "", 7.5, seed: 0)
        func parameterName(_ change: (inout TextToImageParameters) -> Void) -> String? {
            var parameters = valid
            change(&parameters)
            do {
                _ = try pipeline.generate(parameters) { _, _ in }
                return nil
            } catch let error as PipelineError {
                return error.parameter
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(parameterName { $0.width = 33 } == "width")
        #expect(parameterName { $0.height = 0 } == "height")
        #expect(parameterName { $0.steps = 0 } == "steps")
        #expect(parameterName { $0.steps = 151 } == "steps")
        #expect(parameterName { $0.imageCount = 5 } == "imageCount")
        #expect(parameterName { $0.guidanceScale = .nan } == "guidanceScale")
    }

    @Test("a folder without model_index.json is rejected")
    func missingModelIndex() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("sd-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: PipelineError.invalidPipelineFolder(path: empty.path, reason: "no model_index.json")) {
            _ = try StableDiffusionPipeline(directory: empty)
        }
    }

    @Test("opt-in timing of one 32×32, 20-step generation (SD_PIPELINE_BENCH=1)",
          .enabled(if: ProcessInfo.processInfo.environment["SD_PIPELINE_BENCH"] == "1"))
    func timing() throws {
        let pipeline = try SDPipelineFixtures.pipeline()
        let parameters = SDPipelineFixtures.parameters(.dpmSolverMultistep, SDPipelineFixtures.prompt, "", 7.5, seed: 0)
        _ = try pipeline.generate(parameters) { _, _ in }
        let clock = ContinuousClock()
        for _ in 0..<3 {
            let elapsed = try clock.measure { _ = try pipeline.generate(parameters) { _, _ in } }
            print("bench sd-pipeline 32x32 20 steps cfg: \(elapsed)")
        }
    }
}
