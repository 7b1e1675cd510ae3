import Testing
@testable import Tensor

@Suite struct AttentionTests {
    @Test func matchPyTorch() throws {
        let fixture = try OpFixture("attention")
        #expect(fixture.cases.count == 11)
        for name in fixture.cases.keys.sorted() {
            var mask: AttentionMask?
            if let tensor = try fixture.optionalTensor(name, "mask") {
                mask = fixture.string(name, "mask") == "boolean" ? .boolean(tensor) : .additive(tensor)
            }
            let actual = try Tensor.scaledDotProductAttention(
                query: fixture.tensor(name, "query"), key: fixture.tensor(name, "key"), value: fixture.tensor(name, "value"),
                mask: mask, isCausal: fixture.bool(name, "causal")!, scale: fixture.float(name, "scale"))
            expectMatches(actual, try fixture.tensor(name, "output"), name)
        }
    }

    @Test func readsHeadSplitViewsInPlace() throws {
        // Attention layers pass (B, L, heads, d) storage permuted to (B, heads, L, d): rows heads·d floats apart.
        let fixture = try OpFixture("attention")
        for name in ["self_heads", "causal_multi_block"] {
            func headSplit(_ tensor: Tensor) throws -> Tensor {
                try tensor.permuted([0, 2, 1, 3]).contiguous().permuted([0, 2, 1, 3])
            }
            let query = try headSplit(fixture.tensor(name, "query"))
            #expect(!query.isContiguous)
            let actual = try Tensor.scaledDotProductAttention(
                query: query, key: headSplit(fixture.tensor(name, "key")), value: headSplit(fixture.tensor(name, "value")),
                isCausal: fixture.bool(name, "causal")!)
            expectMatches(actual, try fixture.tensor(name, "output"), name)
        }
    }

    @Test func scratchStaysBoundedAt4096Tokens() {
        // The kernel's scratch does not grow with the number of keys: at SD-1.5 head dims it is well under
        // 1 MiB per worker, far below the 64 MiB-per-head-group budget.
        let bytes = AttentionTiling.scratchFloats(depth: 40, valueDepth: 40) * 4 * ComputeThreads.count
        #expect(bytes <= 1 << 20)
        #expect(AttentionTiling.scratchFloats(depth: 160, valueDepth: 160) * 4 <= 1 << 20)
    }

    @Test func rejectsMaskWithCausal() {
        let q = Tensor.zeros([1, 4, 8])
        #expect(throws: TensorError.self) {
            try Tensor.scaledDotProductAttention(query: q, key: q, value: q, mask: .additive(.zeros([4, 4])), isCausal: true)
        }
    }
}
