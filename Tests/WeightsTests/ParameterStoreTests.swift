import Foundation
import Testing
@testable import Weights

@Suite("ParameterStore")
struct ParameterStoreTests {

    /// A small "checkpoint" in a temporary directory.
    struct Checkpoint {
        let directory: TemporaryDirectory
        let url: URL

        init(_ build: (inout SafetensorsWriter) throws -> Void) throws {
            directory = try TemporaryDirectory()
            var writer = SafetensorsWriter()
            try build(&writer)
            url = directory.url.appendingPathComponent("model.safetensors")
            try writer.write(to: url)
        }
    }

    static func resnetCheckpoint() throws -> Checkpoint {
        try Checkpoint { writer in
            try writer.add("down_blocks.0.resnets.1.conv1.weight", shape: [4, 2, 3, 3],
                           floats: (0..<72).map { Float($0) / 8 }, storedAs: .float16)
            try writer.add("down_blocks.0.resnets.1.conv1.bias", shape: [4], floats: [1, 2, 3, 4])
            try writer.add("down_blocks.0.resnets.1.norm1.weight", shape: [2], floats: [1, 1], storedAs: .bfloat16)
            try writer.add("text_model.embeddings.position_ids", shape: [1, 4], int64Values: [0, 1, 2, 3])
        }
    }

    @Test("a scoped request reads the tensor at the full dotted key")
    func scopedRequest() throws {
        let checkpoint = try Self.resnetCheckpoint()
        let store = try ParameterStore(contentsOf: [checkpoint.url])
        let resnet = store.scoped("down_blocks").scoped(0).scoped("resnets").scoped(1)
        #expect(resnet.prefix == "down_blocks.0.resnets.1")
        let weight = try resnet.parameter("conv1.weight", shape: [4, 2, 3, 3])
        #expect(weight.key == "down_blocks.0.resnets.1.conv1.weight")
        #expect(weight.floats() == (0..<72).map { Float($0) / 8 })
        #expect(weight.storedDataType == .float16)
        #expect(!weight.isPlaceholder)
        let bias = try resnet.scoped("conv1").parameter("bias", shape: [4])
        #expect(bias.floats() == [1, 2, 3, 4])
        #expect(store.requestedKeys == ["down_blocks.0.resnets.1.conv1.bias", "down_blocks.0.resnets.1.conv1.weight"])
    }

    @Test("finishLoading lists missing, unexpected and mismatched keys together")
    func allProblemsTogether() throws {
        let checkpoint = try Self.resnetCheckpoint()
        let store = try ParameterStore(contentsOf: [checkpoint.url])
        let resnet = store.scoped("down_blocks").scoped(0).scoped("resnets").scoped(1)
        let weight = try resnet.parameter("conv1.weight", shape: [4, 2, 1, 1])  // wrong shape
        let missing = try resnet.parameter("conv2.weight", shape: [4, 4, 3, 3])  // absent
        let alsoMissing = try store.root.parameter("conv_out.bias", shape: [3])
        #expect(weight.isPlaceholder && missing.isPlaceholder && alsoMissing.isPlaceholder)
        #expect(weight.floats() == [Float](repeating: 0, count: 8))
        _ = try resnet.parameter("conv1.bias", shape: [4])

        let error = weightsError { try store.finishLoading() }
        let expected = ParameterLoadReport(
            missingKeys: ["conv_out.bias", "down_blocks.0.resnets.1.conv2.weight"],
            unexpectedKeys: ["down_blocks.0.resnets.1.norm1.weight", "text_model.embeddings.position_ids"],
            shapeMismatches: [.init(key: "down_blocks.0.resnets.1.conv1.weight", expected: [4, 2, 1, 1], found: [4, 2, 3, 3])])
        #expect(error == .loadFailed(expected))
        let message = error?.description ?? ""
        #expect(message.contains("down_blocks.0.resnets.1.conv2.weight"))
        #expect(message.contains("expected [4, 2, 1, 1], found [4, 2, 3, 3]"))
    }

    @Test("a per-model ignore list allows extras such as position_ids")
    func ignoreList() throws {
        let checkpoint = try Self.resnetCheckpoint()
        let store = try ParameterStore(contentsOf: [checkpoint.url])
        let resnet = store.scoped("down_blocks").scoped(0).scoped("resnets").scoped(1)
        _ = try resnet.parameter("conv1.weight", shape: [4, 2, 3, 3])
        _ = try resnet.parameter("conv1.bias", shape: [4])
        _ = try resnet.parameter("norm1.weight", shape: [2])
        #expect(weightsError { try store.finishLoading() }
            == .loadFailed(ParameterLoadReport(unexpectedKeys: ["text_model.embeddings.position_ids"])))
        try store.finishLoading(ignoring: [.suffix("position_ids")])
        try store.finishLoading(ignoring: [.scope("text_model")])
        try store.finishLoading(ignoring: [.key("text_model.embeddings.position_ids")])
    }

    @Test("an optional parameter that is absent is nil and not missing")
    func optionalParameter() throws {
        let checkpoint = try Self.resnetCheckpoint()
        let store = try ParameterStore(contentsOf: [checkpoint.url])
        let conv = store.scoped("down_blocks.0.resnets.1.conv1")
        #expect(try conv.optionalParameter("missing_bias", shape: [4]) == nil)
        #expect(try conv.optionalParameter("bias", shape: [4])?.floats() == [1, 2, 3, 4])
        #expect(store.report().missingKeys.isEmpty)
        #expect(conv.contains("weight"))
        #expect(conv.storedShape(of: "weight") == [4, 2, 3, 3])
        #expect(conv.containsAnyParameter)
        #expect(!store.scoped("up_blocks").containsAnyParameter)
        #expect(!store.requestedKeys.contains("down_blocks.0.resnets.1.conv1.weight"))
    }

    @Test("an integer tensor requested as a float parameter is reported")
    func unsupportedDataType() throws {
        let checkpoint = try Self.resnetCheckpoint()
        let store = try ParameterStore(contentsOf: [checkpoint.url])
        let ids = try store.scoped("text_model").scoped("embeddings").parameter("position_ids", shape: [1, 4])
        #expect(ids.isPlaceholder)
        #expect(store.report(ignoring: [.scope("down_blocks")]).unsupportedDataTypes
            == [.init(key: "text_model.embeddings.position_ids", dataType: .int64)])
        #expect(store.tensor(forKey: "text_model.embeddings.position_ids").map { try? $0.integers() } == [0, 1, 2, 3])
    }

    @Test("integer tensors are requested as integers and recorded")
    func integerRequests() throws {
        let checkpoint = try Self.resnetCheckpoint()
        let store = try ParameterStore(contentsOf: [checkpoint.url])
        let embeddings = store.scoped("text_model").scoped("embeddings")
        #expect(try embeddings.integers("position_ids", shape: [1, 4]) == [0, 1, 2, 3])
        #expect(try embeddings.integers("token_type_ids", shape: [2]) == [0, 0])
        #expect(try store.scoped("down_blocks.0.resnets.1.conv1").integers("bias", shape: [4]) == [0, 0, 0, 0])
        let report = store.report(ignoring: [.scope("down_blocks")])
        #expect(report == ParameterLoadReport(
            missingKeys: ["text_model.embeddings.token_type_ids"],
            unsupportedDataTypes: [.init(key: "down_blocks.0.resnets.1.conv1.bias", dataType: .float32)]))
    }

    @Test("fail-fast stores throw at the first problem")
    func failFast() throws {
        let checkpoint = try Self.resnetCheckpoint()
        let store = try ParameterStore(contentsOf: [checkpoint.url], problemHandling: .failFast)
        let conv = store.scoped("down_blocks.0.resnets.1.conv1")
        #expect(weightsError { _ = try conv.parameter("nothing", shape: [1]) }
            == .tensorNotFound(name: "down_blocks.0.resnets.1.conv1.nothing"))
        #expect(weightsError { _ = try conv.parameter("bias", shape: [5]) } == .loadFailed(ParameterLoadReport(
            shapeMismatches: [.init(key: "down_blocks.0.resnets.1.conv1.bias", expected: [5], found: [4])])))
    }

    @Test("both precision policies give the same values", arguments: WeightsPrecisionPolicy.allCases)
    func precisionPolicies(_ policy: WeightsPrecisionPolicy) throws {
        let checkpoint = try Self.resnetCheckpoint()
        let store = try ParameterStore(contentsOf: [checkpoint.url], precision: policy)
        let resnet = store.scoped("down_blocks").scoped(0).scoped("resnets").scoped(1)
        let weight = try resnet.parameter("conv1.weight", shape: [4, 2, 3, 3])
        let norm = try resnet.parameter("norm1.weight", shape: [2])
        #expect(weight.floats() == (0..<72).map { Float($0) / 8 })
        #expect(norm.floats() == [1, 1])
        let widened: Bool
        if case .widened = weight.storage { widened = true } else { widened = false }
        #expect(widened == (policy == .widenAtLoad))
        #expect(weight.storedDataType == .float16)
        var destination = [Float](repeating: -1, count: 72)
        try destination.withUnsafeMutableBufferPointer { try weight.copyFloats(into: $0) }
        #expect(destination == weight.floats())
    }

    @Test("F32 parameters at aligned offsets are read in place")
    func zeroCopy() throws {
        let checkpoint = try Self.resnetCheckpoint()
        let store = try ParameterStore(contentsOf: [checkpoint.url])
        let bias = try store.scoped("down_blocks.0.resnets.1.conv1").parameter("bias", shape: [4])
        let mapped = try #require(store.tensor(forKey: bias.key))
        let inPlace = bias.withUnsafeFloats { floats in
            mapped.withUnsafeBytes { UnsafeRawPointer(floats.baseAddress) == $0.baseAddress }
        }
        #expect(inPlace)
    }

    @Test("two files holding the same key are refused")
    func duplicateAcrossFiles() throws {
        let first = try Self.resnetCheckpoint()
        let second = try Self.resnetCheckpoint()
        let error = weightsError { _ = try ParameterStore(contentsOf: [first.url, second.url]) }
        #expect(error == .duplicateTensorAcrossFiles(name: "down_blocks.0.resnets.1.conv1.bias",
                                                    firstPath: first.url.path, secondPath: second.url.path))
    }

    @Test("a directory of shards loads as one store")
    func directoryOfShards() throws {
        let directory = try TemporaryDirectory()
        var first = SafetensorsWriter()
        try first.add("a", shape: [1], floats: [1])
        try first.write(to: directory.url.appendingPathComponent("model-00001-of-00002.safetensors"))
        var second = SafetensorsWriter()
        try second.add("b", shape: [1], floats: [2])
        try second.write(to: directory.url.appendingPathComponent("model-00002-of-00002.safetensors"))
        try Data("{}".utf8).write(to: directory.url.appendingPathComponent("config.json"))
        let store = try ParameterStore(directory: directory.url)
        #expect(store.keys == ["a", "b"])
        #expect(store.files.count == 2)

        let empty = try TemporaryDirectory()
        guard case .fileUnreadable = weightsError({ _ = try ParameterStore(directory: empty.url) }) else {
            Issue.record("expected fileUnreadable for a folder without weights")
            return
        }
    }

    @Test("concurrent loading from one store records every request")
    func concurrentRequests() async throws {
        let count = 64
        let checkpoint = try Checkpoint { writer in
            for index in 0..<count {
                try writer.add("blocks.\(index).weight", shape: [2], floats: [Float(index), 1])
            }
        }
        let store = try ParameterStore(contentsOf: [checkpoint.url])
        let blocks = store.scoped("blocks")
        let sums = try await withThrowingTaskGroup(of: Float.self) { group in
            for index in 0..<count {
                group.addTask { try blocks.scoped(index).parameter("weight", shape: [2]).floats().reduce(0, +) }
            }
            return try await group.reduce(0, +)
        }
        #expect(sums == Float(count * (count - 1) / 2 + count))
        #expect(store.requestedKeys.count == count)
        try store.finishLoading()
    }
}
