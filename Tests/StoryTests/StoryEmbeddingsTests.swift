import Foundation
import Testing
import Tensor
import Weights
@testable import Story

@Suite("StoryEmbeddings")
struct StoryEmbeddingsTests {
    @Test("slot embedding is type₁ + frame_k; caption embedding is type₀")
    func rows() throws {
        let url = StoryFixtures.folder.appendingPathComponent(StoryEmbeddings.fileName)
        let embeddings = try StoryEmbeddings(fileURL: url, maxFrames: 5, hiddenSize: 64)
        let file = try SafetensorsFile(path: url.path)
        let types = try file.tensor(named: "modal_type_embeddings.weight").floats()
        let times = try file.tensor(named: "time_embeddings.weight").floats()
        #expect(try embeddings.captionEmbedding().scalars == Array(types[0..<64]))
        let slot3 = try embeddings.slotEmbedding(frame: 3).scalars
        let expected: [Float] = (0..<64).map { (index: Int) -> Float in types[64 + index] + times[192 + index] }
        #expect(slot3 == expected)
    }

    @Test("a table of the wrong size is reported as mis-shaped")
    func misShaped() throws {
        let url = StoryFixtures.folder.appendingPathComponent(StoryEmbeddings.fileName)
        let error = #expect(throws: WeightsError.self) {
            try StoryEmbeddings(fileURL: url, maxFrames: 6, hiddenSize: 64)
        }
        guard case .loadFailed(let report) = error else {
            Issue.record("expected loadFailed, got \(String(describing: error))")
            return
        }
        #expect(report.shapeMismatches.map(\.key) == ["time_embeddings.weight"])
    }
}
