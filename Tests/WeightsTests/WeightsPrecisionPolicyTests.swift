import Testing
@testable import Weights

@Suite("WeightsPrecisionPolicy")
struct WeightsPrecisionPolicyTests {

    @Test("policies have stable configuration names")
    func names() {
        #expect(WeightsPrecisionPolicy.allCases.map(\.rawValue) == ["keep-stored", "widen-at-load"])
        #expect(WeightsPrecisionPolicy(rawValue: "widen-at-load") == .widenAtLoad)
    }

    @Test("F32 parameters are never copied at load, whatever the policy", arguments: WeightsPrecisionPolicy.allCases)
    func float32StaysMapped(_ policy: WeightsPrecisionPolicy) throws {
        let checkpoint = try ParameterStoreTests.Checkpoint { writer in
            try writer.add("w", shape: [2], floats: [1, 2])
        }
        let store = try ParameterStore(contentsOf: [checkpoint.url], precision: policy)
        let parameter = try store.root.parameter("w", shape: [2])
        guard case .mapped = parameter.storage else {
            Issue.record("expected mapped storage for F32 under \(policy)")
            return
        }
    }
}
