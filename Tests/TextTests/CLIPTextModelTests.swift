import Foundation
import Tensor
import Testing
import Text
import Weights

@Suite("CLIPTextModel")
struct CLIPTextModelTests {
    @Test("matches transformers CLIPTextModel", arguments: ["A", "B"])
    func parity(name: String) throws {
        let fixture = try CLIPTextModelFixture(name)
        let model = try fixture.loadModel()
        let ids = try fixture.rows("input_ids")
        let output = try model(inputIDs: ids, outputHiddenStates: true)
        expectClose(output.lastHiddenState, try fixture.tensor("last_hidden_state"), "\(name) last_hidden_state")
        expectClose(output.pooledOutput, try fixture.tensor("pooler_output"), "\(name) pooler_output")
        let states = try #require(output.hiddenStates)
        #expect(states.count == model.configuration.numHiddenLayers + 1)
        for (index, state) in states.enumerated() {
            expectClose(state, try fixture.tensor("hidden_states.\(index)"), "\(name) hidden_states.\(index)")
        }
        let plain = try model(inputIDs: ids)
        #expect(plain.hiddenStates == nil)
        // The same arithmetic either way; equal up to rounding only, because suites running beside this one switch
        // the process-wide BLAS thread count and OpenBLAS rounds differently per thread count (`ComputeThreads`).
        #expect(plain.lastHiddenState.maxAbsDifference(output.lastHiddenState) <= 1e-5)
    }

    @Test("matches transformers with the tokenizer's attention mask", arguments: ["A", "B"])
    func maskedParity(name: String) throws {
        let fixture = try CLIPTextModelFixture(name)
        let model = try fixture.loadModel()
        let output = try model(inputIDs: try fixture.rows("input_ids"), attentionMask: try fixture.rows("attention_mask"))
        expectClose(output.lastHiddenState, try fixture.tensor("masked.last_hidden_state"), "\(name) masked lhs")
        expectClose(output.pooledOutput, try fixture.tensor("masked.pooler_output"), "\(name) masked pooled")
    }

    @Test("clip_skip takes hidden_states[-(clip_skip + 1)] through final_layer_norm", arguments: ["A", "B"])
    func clipSkip(name: String) throws {
        let fixture = try CLIPTextModelFixture(name)
        let model = try fixture.loadModel()
        let ids = try fixture.rows("input_ids")
        let layers = model.configuration.numHiddenLayers
        let penultimate = try fixture.tensor("hidden_states.\(layers - 1)")
        expectClose(try model.promptEmbeddings(inputIDs: ids, clipSkip: 1),
                    try model.textModel.finalLayerNorm(penultimate), "\(name) clip_skip 1")
        expectClose(try model.promptEmbeddings(inputIDs: ids, clipSkip: 0), try fixture.tensor("last_hidden_state"),
                    "\(name) clip_skip 0")
        expectClose(try model.promptEmbeddings(inputIDs: ids), try fixture.tensor("last_hidden_state"),
                    "\(name) no clip_skip")
        #expect(throws: CLIPTextModelError.clipSkipOutOfRange(clipSkip: layers + 1, layers: layers)) {
            try model.promptEmbeddings(inputIDs: ids, clipSkip: layers + 1)
        }
        #expect(throws: CLIPTextModelError.clipSkipOutOfRange(clipSkip: -1, layers: layers)) {
            try model.promptEmbeddings(inputIDs: ids, clipSkip: -1)
        }
    }

    @Test("loads a text_encoder folder in one step")
    func directoryLoad() throws {
        let fixture = try CLIPTextModelFixture("A")
        let model = try CLIPTextModel(directory: fixture.modelDirectory)
        #expect(model.configuration.hiddenSize == 32)
        #expect(model.textModel.encoder.layers.count == 2)
    }

    @Test("position_ids is allowed only through the model's ignore list")
    func positionIDs() throws {
        let fixture = try CLIPTextModelFixture("B")
        let source = try SafetensorsFile(contentsOf: fixture.modelDirectory.appendingPathComponent("model.safetensors"))
        var writer = SafetensorsWriter()
        for tensor in source.tensors {
            try writer.add(tensor.name, shape: tensor.shape, floats: try tensor.floats())
        }
        try writer.add("text_model.embeddings.position_ids", shape: [1, 77], int64Values: (0..<77).map(Int64.init))
        try withTemporaryDirectory { folder in
            try writer.write(to: folder.appendingPathComponent("model.safetensors"))
            let configuration = try CLIPTextModel.Configuration.load(fromDirectory: fixture.modelDirectory)
            let store = try ParameterStore(directory: folder)
            _ = try CLIPTextModel(store.root, configuration: configuration)
            try store.finishLoading(ignoring: CLIPTextModel.allowedExtraKeys)
            #expect(store.report().unexpectedKeys == ["text_model.embeddings.position_ids"])
        }
    }

    @Test("every load problem is reported together")
    func loadReport() throws {
        let fixture = try CLIPTextModelFixture("B")
        var configuration = try CLIPTextModel.Configuration.load(fromDirectory: fixture.modelDirectory)
        configuration.numHiddenLayers = 4
        configuration.intermediateSize = 60
        let store = try ParameterStore(directory: fixture.modelDirectory)
        _ = try CLIPTextModel(store.root, configuration: configuration)
        let report = store.report(ignoring: CLIPTextModel.allowedExtraKeys)
        #expect(report.missingKeys.count == 16)
        #expect(report.missingKeys.allSatisfy { $0.hasPrefix("text_model.encoder.layers.3.") })
        #expect(report.shapeMismatches.count == 9)  // fc1.weight, fc1.bias, fc2.weight in 3 layers
        #expect(report.shapeMismatches.contains { $0.key == "text_model.encoder.layers.0.mlp.fc1.weight" })
        #expect(throws: WeightsError.self) { try store.finishLoading(ignoring: CLIPTextModel.allowedExtraKeys) }
    }

    @Test("rejects invalid input with a typed error")
    func invalidInput() throws {
        let model = try CLIPTextModelFixture("B").loadModel()
        #expect(throws: CLIPTextModelError.emptyBatch) { try model(inputIDs: []) }
        #expect(throws: CLIPTextModelError.raggedBatch(row: 1, length: 2, expected: 3)) {
            try model(inputIDs: [[997, 5, 998], [997, 998]])
        }
        #expect(throws: CLIPTextModelError.sequenceTooLong(length: 78, maximum: 77)) {
            try model(inputIDs: [Array(repeating: 1, count: 78)])
        }
        #expect(throws: CLIPTextModelError.tokenOutOfRange(row: 0, position: 1, id: 1000, vocabularySize: 1000)) {
            try model(inputIDs: [[997, 1000, 998]])
        }
        #expect(throws: CLIPTextModelError.attentionMaskShape(rows: 2, expectedRows: 1)) {
            try model(inputIDs: [[997, 5, 998]], attentionMask: [[1, 1, 1], [1, 1, 1]])
        }
        #expect(throws: CLIPTextModelError.raggedBatch(row: 0, length: 2, expected: 3)) {
            try model(inputIDs: [[997, 5, 998]], attentionMask: [[1, 1]])
        }
    }

    @Test("a short sequence equals the prefix of a padded one (causal attention)")
    func causalPrefix() throws {
        let model = try CLIPTextModelFixture("B").loadModel()
        let short = [997, 12, 400, 998]
        let padded = short + Array(repeating: 999, count: 10)
        let a = try model(inputIDs: [short]).lastHiddenState
        let b = try model(inputIDs: [padded]).lastHiddenState.sliced(dimension: 1, start: 0, end: short.count)
        expectClose(a, b.contiguous(), relative: 1e-5, "prefix")
    }
}
