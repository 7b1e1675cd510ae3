import Foundation
import Testing
@testable import Weights

@Suite("ModelConfiguration")
struct ModelConfigurationTests {

    struct UNetConfiguration: Decodable, Equatable {
        var inChannels: Int
        var blockOutChannels: [Int]
        var crossAttentionDimension: Int?

        enum CodingKeys: String, CodingKey {
            case inChannels = "in_channels"
            case blockOutChannels = "block_out_channels"
            case crossAttentionDimension = "cross_attention_dim"
        }
    }

    static func folder(with json: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        _ = try directory.write(Array(json.utf8), named: "config.json")
        return directory
    }

    @Test("decodes a diffusers-style config.json, ignoring unknown keys")
    func decodes() throws {
        let directory = try Self.folder(with: """
            {"_class_name": "UNet2DConditionModel", "in_channels": 4, "block_out_channels": [32, 64],
             "cross_attention_dim": 768}
            """)
        let configuration = try ModelConfiguration.decode(UNetConfiguration.self, fromDirectory: directory.url)
        #expect(configuration == UNetConfiguration(inChannels: 4, blockOutChannels: [32, 64], crossAttentionDimension: 768))
    }

    @Test("a missing key is reported with the file and the key")
    func missingKey() throws {
        let directory = try Self.folder(with: "{\"block_out_channels\": [32]}")
        let error = weightsError { _ = try ModelConfiguration.decode(UNetConfiguration.self, fromDirectory: directory.url) }
        let path = directory.url.appendingPathComponent("config.json").path
        #expect(error == .configurationInvalid(path: path, key: "in_channels", reason: "required key is missing"))
    }

    @Test("a wrongly typed array element is reported with its dotted path")
    func typeMismatch() throws {
        let directory = try Self.folder(with: "{\"in_channels\": 4, \"block_out_channels\": [32, 64, \"x\"]}")
        let error = weightsError { _ = try ModelConfiguration.decode(UNetConfiguration.self, fromDirectory: directory.url) }
        guard case .configurationInvalid(let path, let key, _) = error else {
            Issue.record("expected configurationInvalid, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("config.json"))
        #expect(key == "block_out_channels.2")
    }

    @Test("null for a required value and malformed JSON are reported")
    func nullAndMalformed() throws {
        let nullDirectory = try Self.folder(with: "{\"in_channels\": null, \"block_out_channels\": []}")
        guard case .configurationInvalid(_, let key, _) = weightsError({
            _ = try ModelConfiguration.decode(UNetConfiguration.self, fromDirectory: nullDirectory.url)
        }) else {
            Issue.record("expected configurationInvalid for null")
            return
        }
        #expect(key == "in_channels")
        let brokenDirectory = try Self.folder(with: "{\"in_channels\": ")
        guard case .configurationInvalid = weightsError({
            _ = try ModelConfiguration.decode(UNetConfiguration.self, fromDirectory: brokenDirectory.url)
        }) else {
            Issue.record("expected configurationInvalid for malformed JSON")
            return
        }
    }

    @Test("a missing file is unreadable, with its path")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let error = weightsError { _ = try ModelConfiguration.decode(UNetConfiguration.self, fromDirectory: directory.url) }
        guard case .configurationUnreadable(let path, _) = error else {
            Issue.record("expected configurationUnreadable")
            return
        }
        #expect(path == directory.url.appendingPathComponent("config.json").path)
    }
}
