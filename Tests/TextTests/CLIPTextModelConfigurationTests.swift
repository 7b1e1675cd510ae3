import Foundation
import Testing
import Text
import Weights

@Suite("CLIPTextModel.Configuration")
struct CLIPTextModelConfigurationTests {
    private func decode(_ json: String) throws -> CLIPTextModel.Configuration {
        try ModelConfiguration.decode(CLIPTextModel.Configuration.self, from: Data(json.utf8), path: "config.json")
    }

    private func failure(_ json: String) -> WeightsError? {
        do {
            _ = try decode(json)
            return nil
        } catch let error as WeightsError {
            return error
        } catch {
            return nil
        }
    }

    @Test("decodes the fixture configs saved by transformers")
    func fixtureConfigs() throws {
        let a = try CLIPTextModel.Configuration.load(fromDirectory: CLIPTextModelFixture.folder.appendingPathComponent("A"))
        #expect(a == CLIPTextModel.Configuration(vocabSize: 49408, hiddenSize: 32, intermediateSize: 37, numHiddenLayers: 2,
                                                 numAttentionHeads: 4, maxPositionEmbeddings: 77, hiddenAct: .quickGELU,
                                                 layerNormEps: 1e-5, bosTokenID: 0, eosTokenID: 2, padTokenID: 1))
        #expect(a.pooling == .largestTokenID)
        #expect(a.headDimension == 8)
        let b = try CLIPTextModel.Configuration.load(fromDirectory: CLIPTextModelFixture.folder.appendingPathComponent("B"))
        #expect(b.hiddenAct == .gelu)
        #expect(b.pooling == .firstEndOfSequence(998))
        #expect(!b.useAttentionMask)
    }

    @Test("absent keys take CLIPTextConfig's defaults")
    func defaults() throws {
        let configuration = try decode("{}")
        #expect(configuration == CLIPTextModel.Configuration())
        #expect(configuration.hiddenSize == 512 && configuration.numHiddenLayers == 12)
        #expect(configuration.pooling == .firstEndOfSequence(49407))
        #expect(try decode(#"{"eos_token_id": null}"#).pooling == .firstEndOfSequence(-1))
        #expect(try decode(#"{"use_attention_mask": true, "projection_dim": 768}"#).useAttentionMask)
    }

    @Test("the SD presets transcribe the shipped configs")
    func presets() {
        #expect(CLIPTextModel.Configuration.stableDiffusion1.hiddenSize == 768)
        #expect(CLIPTextModel.Configuration.stableDiffusion1.pooling == .largestTokenID)
        #expect(CLIPTextModel.Configuration.stableDiffusion2.numHiddenLayers == 23)
        #expect(CLIPTextModel.Configuration.stableDiffusion2.hiddenAct == .gelu)
    }

    @Test("accepts every supported hidden_act", arguments: CLIPTextModel.Activation.allCases)
    func activations(activation: CLIPTextModel.Activation) throws {
        #expect(try decode(#"{"hidden_act": "\#(activation.rawValue)"}"#).hiddenAct == activation)
    }

    @Test("names the key of an unsupported option")
    func unsupported() {
        let cases: [(String, String)] = [
            (#"{"hidden_act": "relu"}"#, "hidden_act"),
            (#"{"hidden_size": 30, "num_attention_heads": 4}"#, "num_attention_heads"),
            (#"{"model_type": "clip_vision_model"}"#, "model_type"),
            (#"{"text_config": {}}"#, "text_config"),
            (#"{"num_hidden_layers": 0}"#, "num_hidden_layers"),
            (#"{"vocab_size": "big"}"#, "vocab_size"),
        ]
        for (json, key) in cases {
            guard case .configurationInvalid(let path, let found, _)? = failure(json) else {
                Issue.record("\(json) decoded")
                continue
            }
            #expect(path == "config.json")
            #expect(found == key, "\(json)")
        }
    }
}
