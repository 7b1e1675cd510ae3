import Foundation
import Testing
@testable import Diffusion

@Suite struct DiffusersConfigurationValueTests {
    @Test func scalarOrListNormalisesToPerBlockValues() throws {
        let scalar = try JSONDecoder().decode(ScalarOrList<Int>.self, from: Data("8".utf8))
        let list = try JSONDecoder().decode(ScalarOrList<Int>.self, from: Data("[5, 10]".utf8))
        #expect(scalar.perBlock(3) == [8, 8, 8])
        #expect(list.perBlock(2) == [5, 10])
        #expect(list.perBlock(3) == nil)
    }

    @Test func unsupportedOptionDescribesItself() {
        let option = UnsupportedOption(key: "class_embed_type", value: "\"timestep\"", supported: "null")
        #expect(option.description == "class_embed_type = \"timestep\" (supported: null)")
    }
}
