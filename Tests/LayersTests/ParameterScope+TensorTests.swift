import Foundation
import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct ParameterScopeTensorTests {
    /// A state dict with one missing key, one extra key and one wrong shape yields ONE error listing all three.
    @Test func reportsEveryLoadProblemTogether() throws {
        var writer = SafetensorsWriter()
        // Attention(query_dim 8, heads 2, dim_head 4): to_q right, to_k wrong shape, to_v missing, to_out right + extra key.
        try writer.add("attn.to_q.weight", shape: [8, 8], floats: [Float](repeating: 0.1, count: 64))
        try writer.add("attn.to_k.weight", shape: [8, 6], floats: [Float](repeating: 0.1, count: 48))
        try writer.add("attn.to_out.0.weight", shape: [8, 8], floats: [Float](repeating: 0.1, count: 64))
        try writer.add("attn.to_out.0.bias", shape: [8], floats: [Float](repeating: 0, count: 8))
        try writer.add("attn.to_out.1.weight", shape: [8], floats: [Float](repeating: 0, count: 8))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("layers-negative-\(UUID().uuidString).safetensors")
        try writer.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let store = try ParameterStore(contentsOf: [url])
        _ = try Attention(store.scoped("attn"), queryDim: 8, heads: 2, headDim: 4)
        do {
            try store.finishLoading()
            Issue.record("finishLoading accepted a broken state dict")
        } catch let error {
            guard case .loadFailed(let report) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(report.missingKeys == ["attn.to_v.weight"])
            #expect(report.unexpectedKeys == ["attn.to_out.1.weight"])
            #expect(report.shapeMismatches == [.init(key: "attn.to_k.weight", expected: [8, 8], found: [8, 6])])
            let message = report.description
            #expect(message.contains("attn.to_v.weight") && message.contains("attn.to_out.1.weight") && message.contains("attn.to_k.weight"))
        }
    }

    @Test func tensorCopiesTheStoredValues() throws {
        var writer = SafetensorsWriter()
        try writer.add("w", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("layers-tensor-\(UUID().uuidString).safetensors")
        try writer.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let store = try ParameterStore(contentsOf: [url])
        let tensor = try store.root.tensor("w", shape: [2, 3])
        #expect(tensor.shape == [2, 3] && tensor.scalars == [1, 2, 3, 4, 5, 6])
        #expect(try store.root.optionalTensor("absent", shape: [1]) == nil)
        try store.finishLoading()
    }
}
