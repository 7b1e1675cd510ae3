// Loads the parity fixtures written by Tools/reference/make_layer_fixtures.py and checks layers against them.
//
// A fixture file holds, per case, `<case>.model.<diffusers key>` (the state dict), `<case>.inputs.<name>` and
// `<case>.outputs.<name>`, plus JSON metadata `fixture` → `cases` → `<case>` → the constructor arguments.
// Each case is loaded through its own `ParameterStore`, so `finishLoading` proves that the layer asked
// for exactly the case's state-dict keys with the stored shapes.

import Foundation
import Testing
import Weights
@testable import Layers
@testable import Tensor

/// One fixture file.
struct LayerFixture {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/layers")

    let name: String
    let file: SafetensorsFile
    let cases: [String: [String: Any]]

    init(_ name: String) throws {
        self.name = name
        file = try SafetensorsFile(path: Self.folder.appendingPathComponent("\(name).safetensors").path)
        let json = file.metadata["fixture"] ?? "{}"
        let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        cases = root?["cases"] as? [String: [String: Any]] ?? [:]
    }

    /// Case names whose `module` is `module`, sorted.
    func caseNames(module: String) -> [String] {
        cases.filter { ($0.value["module"] as? String) == module }.map(\.key).sorted()
    }

    /// Everything in the file that is not `caseName`'s state dict.
    func ignoreList(for caseName: String) -> ParameterIgnoreList {
        var rules: [ParameterIgnoreList.Rule] = [.scope("\(caseName).inputs"), .scope("\(caseName).outputs")]
        rules += cases.keys.filter { $0 != caseName }.map { .scope($0) }
        return ParameterIgnoreList(rules)
    }
}

/// One case: its arguments, inputs and expected outputs.
struct LayerCase {
    let fixture: LayerFixture
    let name: String
    var arguments: [String: Any] { fixture.cases[name] ?? [:] }

    func has(_ key: String) -> Bool { fixture.file.contains("\(name).\(key)") }

    /// `inputs.<key>` or `outputs.<key>` as a Float32 tensor (integer tensors are converted).
    func tensor(_ key: String) throws -> Tensor {
        let stored = try fixture.file.tensor(named: "\(name).\(key)")
        let values: [Float] = stored.dataType.widensToFloat ? try stored.floats() : try stored.integers().map(Float.init)
        return Tensor(shape: stored.shape, values: values)
    }

    func input(_ key: String) throws -> Tensor { try tensor("inputs.\(key)") }
    func optionalInput(_ key: String) throws -> Tensor? { has("inputs.\(key)") ? try input(key) : nil }
    func integers(_ key: String) throws -> [Int] { try fixture.file.tensor(named: "\(name).inputs.\(key)").integers() }

    /// Names of the expected outputs (`output`, `skip.0`, …).
    var outputNames: [String] {
        let prefix = "\(name).outputs."
        return fixture.file.tensorNames.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    /// `skip.0`, `skip.1`, … inputs in order.
    func skipInputs() throws -> [Tensor] {
        var skips: [Tensor] = []
        while has("inputs.skip.\(skips.count)") { skips.append(try input("skip.\(skips.count)")) }
        return skips
    }

    func int(_ key: String) -> Int? { (arguments[key] as? NSNumber)?.intValue }
    func float(_ key: String) -> Float? { (arguments[key] as? NSNumber)?.floatValue }
    func bool(_ key: String) -> Bool? { (arguments[key] as? NSNumber)?.boolValue }
    func string(_ key: String) -> String? { arguments[key] as? String }
    func ints(_ key: String) -> [Int]? { (arguments[key] as? [NSNumber])?.map(\.intValue) }
    func pair(_ key: String) -> (Int, Int)? { ints(key).flatMap { $0.count == 2 ? ($0[0], $0[1]) : nil } }
    /// The `config` dictionary (Transformer2DModel cases) as JSON bytes, for decoding a `Configuration`.
    func configJSON() throws -> Data { try JSONSerialization.data(withJSONObject: arguments["config"] ?? [:]) }
}

enum ParityError: Error { case missingCases(String), missingArgument(String) }

extension LayerCase {
    /// A required integer argument.
    func requiredInt(_ key: String) throws -> Int {
        guard let value = int(key) else { throw ParityError.missingArgument("\(name).\(key)") }
        return value
    }
}

/// Runs every case of `module` in `fixtureName`: `run` builds the layer from the case's scope and returns
/// its outputs by name; each is compared with the reference, then the store must have no missing,
/// unexpected or mis-shaped key.
func checkParity(_ fixtureName: String, module: String, relative: Float = 1e-4,
                 sourceLocation: SourceLocation = #_sourceLocation,
                 _ run: (ParameterScope, LayerCase) throws -> [String: Tensor]) throws {
    let fixture = try LayerFixture(fixtureName)
    let names = fixture.caseNames(module: module)
    guard !names.isEmpty else { throw ParityError.missingCases("\(fixtureName): no \(module) case") }
    for name in names {
        let store = try ParameterStore(files: [fixture.file])
        let layerCase = LayerCase(fixture: fixture, name: name)
        let outputs = try run(store.scoped(name).scoped("model"), layerCase)
        #expect(Set(outputs.keys) == Set(layerCase.outputNames), "\(name): outputs \(outputs.keys.sorted()) vs \(layerCase.outputNames)",
                sourceLocation: sourceLocation)
        for (output, actual) in outputs.sorted(by: { $0.key < $1.key }) {
            expectMatches(actual, try layerCase.tensor("outputs.\(output)"), relative: relative,
                          "\(fixtureName)/\(name)/\(output)", sourceLocation: sourceLocation)
        }
        try store.finishLoading(ignoring: fixture.ignoreList(for: name))
    }
}

/// Same shape, and max |actual − expected| ≤ `relative` × max |expected|. Set `LAYERS_PARITY_REPORT=1`
/// to print every case's error.
func expectMatches(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-4, _ label: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = actual.scalars, e = expected.scalars
    let scale = e.reduce(Float(0)) { max($0, abs($1)) }
    var worst: Float = 0
    for index in e.indices {
        let difference = abs(a[index] - e[index])
        worst = difference.isNaN ? .infinity : max(worst, difference)
    }
    if ProcessInfo.processInfo.environment["LAYERS_PARITY_REPORT"] != nil {
        print("parity \(label): max abs error \(worst), scale \(scale), relative \(worst / max(scale, 1e-12))")
    }
    #expect(worst <= relative * max(scale, 1e-6), "\(label): max abs error \(worst) (scale \(scale))", sourceLocation: sourceLocation)
}

/// The shared block settings from a block case's diffusers arguments.
extension LayerCase {
    var resnetSettings: ResnetBlockSettings {
        ResnetBlockSettings(eps: float("resnet_eps") ?? 1e-6, groups: int("resnet_groups") ?? 32,
                            outputScaleFactor: float("output_scale_factor") ?? 1)
    }

    var attentionSettings: CrossAttentionSettings {
        CrossAttentionSettings(numAttentionHeads: int("num_attention_heads") ?? 1,
                               crossAttentionDim: int("cross_attention_dim") ?? 1280,
                               transformerLayersPerBlock: ints("transformer_layers_per_block"),
                               useLinearProjection: bool("use_linear_projection") ?? false)
    }
}
