// Loads the parity fixtures written by Tools/reference/make_clip_text_fixtures.py
// (Tests/Fixtures/clip-text-model): `<name>/` is a transformers `CLIPTextModel` folder (fp16 weights),
// `<name>.expected.safetensors` its float32 reference outputs.

import Foundation
import Tensor
import Testing
import Text
import Weights

/// One fixture model and its reference outputs.
struct CLIPTextModelFixture {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/clip-text-model", isDirectory: true)

    let name: String
    let expected: SafetensorsFile
    var modelDirectory: URL { Self.folder.appendingPathComponent(name, isDirectory: true) }

    init(_ name: String) throws {
        self.name = name
        expected = try SafetensorsFile(contentsOf: Self.folder.appendingPathComponent("\(name).expected.safetensors"))
    }

    /// The model loaded through a store whose `finishLoading` must pass.
    func loadModel() throws -> CLIPTextModel {
        let configuration = try CLIPTextModel.Configuration.load(fromDirectory: modelDirectory)
        let store = try ParameterStore(directory: modelDirectory)
        let model = try CLIPTextModel(store.root, configuration: configuration)
        try store.finishLoading(ignoring: CLIPTextModel.allowedExtraKeys)
        return model
    }

    func tensor(_ key: String) throws -> Tensor {
        let stored = try expected.tensor(named: key)
        return Tensor(shape: stored.shape, values: try stored.floats())
    }

    func rows(_ key: String) throws -> [[Int]] {
        let stored = try expected.tensor(named: key)
        let values = try stored.integers()
        let width = stored.shape.last ?? 0
        return stride(from: 0, to: values.count, by: max(width, 1)).map { Array(values[$0..<($0 + width)]) }
    }

    /// Entries of the `fixture` metadata JSON.
    func metadata() throws -> [String: Any] {
        let json = expected.metadata["fixture"] ?? "{}"
        return try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
    }

    func strings(_ key: String) throws -> [String] { try metadata()[key] as? [String] ?? [] }
}

/// Same shape, and max |actual − expected| ≤ `relative` × max |expected|. Set `CLIP_PARITY_REPORT=1`
/// to print each comparison.
func expectClose(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-4, _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)",
            sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = actual.scalars, e = expected.scalars
    let scale = e.reduce(Float(0)) { max($0, abs($1)) }
    var worst: Float = 0
    for index in e.indices {
        let difference = abs(a[index] - e[index])
        worst = difference.isNaN ? .infinity : max(worst, difference)
    }
    if ProcessInfo.processInfo.environment["CLIP_PARITY_REPORT"] != nil {
        print("parity \(label): max abs error \(worst), scale \(scale), relative \(worst / max(scale, 1e-12))")
    }
    #expect(worst <= relative * max(scale, 1e-6), "\(label): max abs error \(worst) (scale \(scale))",
            sourceLocation: sourceLocation)
}
