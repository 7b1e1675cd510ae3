import Foundation
import Tensor
import Testing
import Weights
@testable import Detection

/// The committed parity fixtures `Tests/Fixtures/diffusiondet/` (written by
/// `Tools/reference/make_diffusiondet_fixtures.py` with torch 2.13; README.md there lists every tensor):
/// two tiny random-weight model folders and, per model, `<model>.parity.safetensors` with the reference
/// backbone, head and sampling outputs.
struct DiffusionDetFixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/diffusiondet", isDirectory: true)

    static let models = ["basic18", "bottleneck50"]

    let name: String
    let file: SafetensorsFile

    init(_ name: String) throws {
        self.name = name
        file = try SafetensorsFile(contentsOf: Self.directory.appendingPathComponent("\(name).parity.safetensors"))
    }

    var modelFolder: URL { Self.directory.appendingPathComponent(name, isDirectory: true) }

    func tensor(_ key: String) throws -> Tensor {
        let stored = try file.tensor(named: key)
        return Tensor(shape: stored.shape, values: try stored.floats())
    }

    func floats(_ key: String) throws -> [Float] { try file.tensor(named: key).floats() }

    func integers(_ key: String) throws -> [Int] { try file.tensor(named: key).integers() }

    /// F64 values (the sampler states).
    func doubles(_ key: String) throws -> [Double] {
        let stored = try file.tensor(named: key)
        try #require(stored.dataType == .float64, "\(key) is \(stored.dataType)")
        return stored.withUnsafeBytes { bytes in
            (0..<stored.elementCount).map { bytes.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
        }
    }

    /// The fixture's metadata JSON (`fixture` key).
    func metadata() throws -> [String: Any] {
        let text = try #require(file.metadata["fixture"])
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// `sample{steps}.draws` split by `sample{steps}.draw_rows`, for `RecordedBoxNoise`.
    func recordedDraws(steps: Int) throws -> [[Double]] {
        let values = try floats("sample\(steps).draws").map(Double.init)
        var draws: [[Double]] = [], offset = 0
        for rows in try integers("sample\(steps).draw_rows") {
            draws.append(Array(values[offset..<(offset + rows * 4)]))
            offset += rows * 4
        }
        try #require(offset == values.count)
        return draws
    }

    /// The detector, the reference input wrapped as a `PreprocessedImage`, and its features.
    func loaded() throws -> (DiffusionDetector, PreprocessedImage, FeaturePyramid) {
        let detector = try DiffusionDetector(folder: modelFolder)
        let input = try tensor("input")
        let resized = try integers("resized_hw"), original = try integers("original_hw")
        let image = try PreprocessedImage(tensor: try input.squeezed(0), originalWidth: original[1],
                                          originalHeight: original[0], resizedWidth: resized[1], resizedHeight: resized[0])
        let features = try detector.features(for: [image])[0]
        return (detector, image, features)
    }
}

/// Same shape, and max |actual − expected| ≤ `relative` × max(max |expected|, 1); prints
/// `parity <label>: …` for the report and returns the max abs error.
@discardableResult
func expectClose(_ actual: [Float], _ expected: [Float], relative: Float = 1e-4, _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) -> Float {
    #expect(actual.count == expected.count, "\(label): \(actual.count) vs \(expected.count) values",
            sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return .infinity }
    let scale = expected.reduce(Float(0)) { max($0, abs($1)) }
    var worst: Float = 0
    for (a, e) in zip(actual, expected) {
        let difference = abs(a - e)
        worst = difference.isNaN ? .infinity : max(worst, difference)
    }
    print("parity \(label): max abs error \(worst), scale \(scale)")
    #expect(worst <= relative * max(scale, 1), "\(label): max abs error \(worst) (scale \(scale))",
            sourceLocation: sourceLocation)
    return worst
}
