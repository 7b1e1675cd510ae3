import Foundation
import Testing
import Weights
@testable import Story

@Suite("HistoryEncoder.Configuration")
struct HistoryEncoderConfigurationTests {
    static let fixtureConfig = StoryFixtures.folder.appendingPathComponent("history_encoder/config.json")

    static func object() throws -> [String: Any] {
        let data = try Data(contentsOf: fixtureConfig)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func decode(_ object: [String: Any]) throws -> HistoryEncoder.Configuration {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try ModelConfiguration.decode(HistoryEncoder.Configuration.self, from: data, path: "config.json")
    }

    @Test("the fixture's config decodes")
    func decodesFixture() throws {
        let configuration = try Self.decode(Self.object())
        #expect(configuration.hiddenSize == 64)
        #expect(configuration.imageTokens == 17)
        #expect(configuration.encTokenID == 49408)
    }

    @Test("an unknown key is rejected by name")
    func unknownKey() throws {
        var object = try Self.object()
        object["drop_path_rate"] = 0.1
        #expect(throws: WeightsError.configurationInvalid(path: "config.json", key: "drop_path_rate",
                                                          reason: "unknown HistoryEncoder config key 'drop_path_rate'")) {
            _ = try Self.decode(object)
        }
    }

    @Test("an invalid value names its key")
    func invalidValue() throws {
        var object = try Self.object()
        object["patch_size"] = 7
        let error = #expect(throws: WeightsError.self) { try Self.decode(object) }
        guard case .configurationInvalid(_, let key, _) = error else {
            Issue.record("expected configurationInvalid, got \(String(describing: error))")
            return
        }
        #expect(key == "patch_size")
    }
}
