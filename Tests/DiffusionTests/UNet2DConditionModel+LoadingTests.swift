import Foundation
import Testing
import Weights
@testable import Diffusion

@Suite struct UNet2DConditionModelLoadingTests {
    @Test func loadsTheFP16VariantByNameOrAsTheOnlyFile() throws {
        let folder = SDModelFixtures.component("tiny-sd1", "unet")
        let implicit = try UNet2DConditionModel(directory: folder)
        let explicit = try UNet2DConditionModel(directory: folder, variant: "fp16", precision: .widenAtLoad)
        #expect(implicit.convOut.weight.scalars == explicit.convOut.weight.scalars)
        #expect(throws: WeightsError.self) { try UNet2DConditionModel(directory: folder, variant: "bf16") }
    }

    /// A configuration that disagrees with the weights fails with one error listing all problems.
    @Test func reportsEveryMissingUnexpectedAndMisshapedKeyAtOnce() throws {
        let source = SDModelFixtures.component("tiny-sd2", "unet")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = "diffusion_pytorch_model.safetensors"
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(weights),
                                                   withDestinationURL: source.appendingPathComponent(weights))
        var text = try String(contentsOf: source.appendingPathComponent("config.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"layers_per_block\": 1", with: "\"layers_per_block\": 2")
        text = text.replacingOccurrences(of: "\"cross_attention_dim\": 24", with: "\"cross_attention_dim\": 16")
        try text.write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)

        let error = #expect(throws: WeightsError.self) { try UNet2DConditionModel(directory: folder) }
        guard case .loadFailed(let report) = error else {
            Issue.record("expected loadFailed, got \(String(describing: error))")
            return
        }
        #expect(report.missingKeys.contains("down_blocks.0.resnets.1.conv1.weight"))
        #expect(report.missingKeys.contains("up_blocks.2.resnets.2.conv1.weight"))
        #expect(report.shapeMismatches.contains { $0.key == "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight" })
        #expect(report.unexpectedKeys.isEmpty)
    }

    @Test func refusesAnotherDiffusersClass() throws {
        let error = #expect(throws: WeightsError.self) {
            try UNet2DConditionModel(directory: SDModelFixtures.component("tiny-sd1", "vae"))
        }
        guard case .configurationInvalid(_, let key, _) = error else { return }
        #expect(key == "_class_name")
    }
}
