import Foundation
import Testing
@testable import Weights

@Suite("SafetensorsFile")
struct SafetensorsFileTests {

    /// Expected values written by Tools/reference/make_weights_fixtures.py.
    struct ReferenceTensor {
        var dataType: String
        var shape: [Int]
        var values: [Double]
    }

    static func referenceTensors() throws -> (tensors: [String: ReferenceTensor], metadata: [String: String], sha256: String) {
        let data = try Data(contentsOf: weightsFixturesDirectory.appendingPathComponent("reference_mixed.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try #require(root["tensors"] as? [String: [String: Any]])
        var tensors: [String: ReferenceTensor] = [:]
        for (name, entry) in entries {
            tensors[name] = ReferenceTensor(
                dataType: try #require(entry["dtype"] as? String),
                shape: try #require(entry["shape"] as? [Int]),
                values: try #require((entry["values"] as? [NSNumber])?.map(\.doubleValue)))
        }
        return (tensors, try #require(root["metadata"] as? [String: String]), try #require(root["sha256"] as? String))
    }

    @Test("reads every tensor of the Python-written fixture bit for bit")
    func readsPythonFixture() throws {
        let reference = try Self.referenceTensors()
        let file = try SafetensorsFile(contentsOf: weightsFixturesDirectory.appendingPathComponent("reference_mixed.safetensors"))
        #expect(Set(file.tensorNames) == Set(reference.tensors.keys))
        #expect(file.metadata == reference.metadata)
        for (name, expected) in reference.tensors {
            let tensor = try file.tensor(named: name)
            #expect(tensor.dataType.rawValue == expected.dataType, "\(name)")
            #expect(tensor.shape == expected.shape, "\(name)")
            #expect(tensor.elementCount == expected.values.count, "\(name)")
            if tensor.dataType == .int64 {
                #expect(try tensor.integers() == expected.values.map { Int($0) }, "\(name)")
            } else {
                let values = try tensor.floats()
                let expectedBits = expected.values.map { Float($0).bitPattern }
                #expect(values.map(\.bitPattern) == expectedBits, "\(name)")
            }
        }
    }

    @Test("covers all three float dtypes in the fixture")
    func fixtureHasAllFloatTypes() throws {
        let file = try SafetensorsFile(contentsOf: weightsFixturesDirectory.appendingPathComponent("reference_mixed.safetensors"))
        let types = Set(file.tensors.map(\.dataType))
        #expect(types.isSuperset(of: [.float32, .float16, .bfloat16, .int64]))
    }
}
