import Testing
@testable import Story

@Suite("StoryError")
struct StoryErrorTests {
    @Test("descriptions name the folder or parameter; only parameter errors carry a parameter")
    func descriptions() {
        let folder = StoryError.invalidStoryFolder(path: "/m/story", reason: "no story_config.json")
        let parameter = StoryError.invalidParameter(parameter: "steps", reason: "must lie in 1…1000, got 0")
        #expect(folder.description == "invalid story folder /m/story: no story_config.json")
        #expect(parameter.description == "invalid steps: must lie in 1…1000, got 0")
        #expect(folder.parameter == nil)
        #expect(parameter.parameter == "steps")
    }
}
