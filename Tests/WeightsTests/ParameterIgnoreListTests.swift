import Testing
@testable import Weights

@Suite("ParameterIgnoreList")
struct ParameterIgnoreListTests {

    @Test("rules match whole dotted components")
    func matching() {
        let list: ParameterIgnoreList = [.suffix("position_ids"), .scope("first_stage_model"), .key("logit_scale")]
        #expect(list.allows("text_model.embeddings.position_ids"))
        #expect(list.allows("position_ids"))
        #expect(!list.allows("text_model.embeddings.my_position_ids"))
        #expect(list.allows("first_stage_model.decoder.conv_in.weight"))
        #expect(list.allows("first_stage_model"))
        #expect(!list.allows("first_stage_model_extra.weight"))
        #expect(list.allows("logit_scale"))
        #expect(!list.allows("model.logit_scale"))
    }

    @Test("none allows nothing, and union combines rules")
    func combination() {
        #expect(!ParameterIgnoreList.none.allows("anything"))
        let combined = ParameterIgnoreList([.key("a")]).union([.key("b")])
        #expect(combined.allows("a") && combined.allows("b") && !combined.allows("c"))
    }
}
