import Foundation
import Testing
import Tensor
import Weights
@testable import Story

/// Parity of the multimodal history encoder with Tools/reference/arldm_ref.py `HistoryEncoder`, and its strict loading.
@Suite("HistoryEncoder")
struct HistoryEncoderTests {
    @Test("(caption, frame) encodings match the reference within 1e-4 of scale, including the null pair")
    func parity() throws {
        let pipeline = try StoryFixtures.pipeline()
        let conditioner = pipeline.conditioner
        let captions = Array(StoryFixtures.captions.prefix(3)) + [""]
        let images = try Tensor.concatenate([StoryFixtures.tensor("inputs.images"), conditioner.nullImage], dimension: 0)

        let expectedIDs = try StoryFixtures.tensor("history.input_ids").scalars.map(Int.init)
        let expectedMask = try StoryFixtures.tensor("history.attention_mask").scalars.map(Int.init)
        let tokens = captions.map(conditioner.tokenize)
        #expect(tokens.flatMap(\.ids) == expectedIDs)
        #expect(tokens.flatMap(\.keepMask) == expectedMask)

        let output = try conditioner.encodeHistory(images: images, captions: captions)
        let expected = try StoryFixtures.tensor("history.output")
        #expect(output.shape == expected.shape)
        let error = StoryFixtures.relativeError(output, expected)
        print("parity story history encoder: max abs error \(output.maxAbsDifference(expected)), scale \(expected.maxAbs()), relative \(error)")
        #expect(error <= 1e-4)
    }

    @Test("the frame changes the encoding (the cross-attention to the image is live)")
    func imageMatters() throws {
        let conditioner = try StoryFixtures.pipeline().conditioner
        let a = try conditioner.encodeHistory(images: StoryFixtures.frame(0), captions: [StoryFixtures.captions[0]])
        let b = try conditioner.encodeHistory(images: StoryFixtures.frame(1), captions: [StoryFixtures.captions[0]])
        #expect(a.maxAbsDifference(b) > 1e-2)
    }

    @Test("a frame of the wrong size is refused, naming the parameter")
    func wrongImageSize() throws {
        let encoder = try StoryFixtures.pipeline().conditioner.historyEncoder
        #expect(throws: StoryError.self) {
            _ = try encoder(images: Tensor.zeros([1, 3, 16, 16]), inputIDs: [[1, 2]], attentionMask: [[1, 1]])
        }
    }

    @Test("loading reports missing, unexpected and mis-shaped tensors together")
    func strictLoading() throws {
        let source = StoryFixtures.folder.appendingPathComponent("history_encoder", isDirectory: true)
        let file = try SafetensorsFile(path: source.appendingPathComponent("diffusion_pytorch_model.safetensors").path)
        var writer = SafetensorsWriter()
        for name in file.tensorNames where name != "vision_model.class_embedding" {
            let tensor = try file.tensor(named: name)
            if name == "text_model.position_embeddings.weight" {
                try writer.add(name, shape: [8, 64], floats: [Float](repeating: 0, count: 8 * 64))
            } else {
                try writer.add(name, shape: tensor.shape, floats: try tensor.floats())
            }
        }
        try writer.add("vision_model.extra.weight", shape: [1], floats: [0])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("story-he-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: source.appendingPathComponent("config.json"),
                                         to: directory.appendingPathComponent("config.json"))
        try writer.write(to: directory.appendingPathComponent("diffusion_pytorch_model.safetensors"))
        let error = #expect(throws: WeightsError.self) { try HistoryEncoder(directory: directory) }
        guard case .loadFailed(let report) = error else {
            Issue.record("expected loadFailed, got \(String(describing: error))")
            return
        }
        #expect(report.missingKeys == ["vision_model.class_embedding"])
        #expect(report.unexpectedKeys == ["vision_model.extra.weight"])
        #expect(report.shapeMismatches.map(\.key) == ["text_model.position_embeddings.weight"])
    }
}
