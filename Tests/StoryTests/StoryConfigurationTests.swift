import Foundation
import Testing
import Weights
@testable import Story

@Suite("StoryConfiguration")
struct StoryConfigurationTests {
    static func decode(_ json: String) throws(WeightsError) -> StoryConfiguration {
        try ModelConfiguration.decode(StoryConfiguration.self, from: Data(json.utf8), path: "story_config.json")
    }

    @Test("the fixture's story_config.json decodes")
    func fixture() throws {
        let configuration = try StoryConfiguration.load(fromDirectory: StoryFixtures.folder)
        #expect(configuration == StoryConfiguration(maxFrames: 5, captionLength: 16, hiddenSize: 64, guidanceScale: 5,
                                                    numInferenceSteps: 25))
        #expect(configuration.contextLength == 96)
    }

    @Test("an unknown key is rejected by name")
    func unknownKey() throws {
        let json = #"{"max_frames": 5, "caption_length": 16, "hidden_size": 64, "guidance_scale": 5, "num_inference_steps": 25, "task": "continuation"}"#
        #expect(throws: WeightsError.configurationInvalid(path: "story_config.json", key: "task",
                                                          reason: "unknown story_config.json key 'task'")) {
            _ = try Self.decode(json)
        }
    }

    @Test("a missing or invalid value names its key")
    func invalid() throws {
        func key(_ json: String) -> String? {
            let result = Result { () throws(WeightsError) -> StoryConfiguration in try Self.decode(json) }
            guard case .failure(.configurationInvalid(_, let key, _)) = result else { return "unexpected \(result)" }
            return key
        }
        #expect(key(#"{"caption_length": 16, "hidden_size": 64, "guidance_scale": 5, "num_inference_steps": 25}"#) == "max_frames")
        #expect(key(#"{"max_frames": 0, "caption_length": 16, "hidden_size": 64, "guidance_scale": 5, "num_inference_steps": 25}"#) == "max_frames")
        #expect(key(#"{"_class_name": "StableDiffusionPipeline", "max_frames": 5, "caption_length": 16, "hidden_size": 64, "guidance_scale": 5, "num_inference_steps": 25}"#) == "_class_name")
    }
}
