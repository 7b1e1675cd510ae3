import Foundation
import Testing
@testable import Weights

@Suite("ParameterScope")
struct ParameterScopeTests {

    static func emptyStore() throws -> ParameterStore {
        try ParameterStore(files: [])
    }

    @Test("keys are built from components and indices like PyTorch state-dict keys")
    func keys() throws {
        let store = try Self.emptyStore()
        #expect(store.root.prefix == "")
        #expect(store.root.key("conv_in.weight") == "conv_in.weight")
        let scope = store.scoped("down_blocks").scoped(0).scoped("attentions").scoped(1).scoped("transformer_blocks").scoped(0)
        #expect(scope.key("attn1.to_q.weight") == "down_blocks.0.attentions.1.transformer_blocks.0.attn1.to_q.weight")
        #expect(store.root.scoped(3).prefix == "3")
    }

    @Test("requests through an empty store are all missing, and reported as such")
    func emptyStoreReportsMissing() throws {
        let store = try Self.emptyStore()
        let scope = store.scoped("mid_block")
        let weight = try scope.parameter("weight", shape: [2, 3])
        #expect(weight.isPlaceholder)
        #expect(weight.shape == [2, 3])
        #expect(weight.elementCount == 6)
        #expect(!scope.containsAnyParameter)
        #expect(!store.root.containsAnyParameter)
        #expect(weightsError { try store.finishLoading() } == .loadFailed(ParameterLoadReport(missingKeys: ["mid_block.weight"])))
    }

    @Test("scopes can be handed to concurrent tasks")
    func sendable() async throws {
        let store = try Self.emptyStore()
        let scope = store.scoped("blocks")
        let keys = await withTaskGroup(of: String.self) { group in
            for index in 0..<4 { group.addTask { scope.scoped(index).key("w") } }
            return await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["blocks.0.w", "blocks.1.w", "blocks.2.w", "blocks.3.w"])
    }
}
