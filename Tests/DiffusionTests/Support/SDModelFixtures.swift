import Foundation
import Testing
import Tensor
import Weights
@testable import Diffusion

/// The committed tiny diffusers folders `Tests/Fixtures/sd-models/<name>/{unet,vae}` and their reference
/// inputs/outputs `<component>_io.safetensors` (written by `Tools/reference/make_sd_model_fixtures.py` with
/// diffusers 0.35.2 and torch 2.13).
enum SDModelFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sd-models", isDirectory: true)

    /// `tiny-sd1/unet` etc.
    static func component(_ model: String, _ component: String) -> URL {
        directory.appendingPathComponent(model, isDirectory: true).appendingPathComponent(component, isDirectory: true)
    }

    /// The reference tensors of one component.
    struct IO {
        let file: SafetensorsFile

        init(_ model: String, _ component: String) throws {
            file = try SafetensorsFile(path: directory.appendingPathComponent(model)
                .appendingPathComponent("\(component)_io.safetensors").path)
        }

        func tensor(_ name: String) throws -> Tensor {
            let stored = try file.tensor(named: name)
            return Tensor(shape: stored.shape, values: try stored.floats())
        }
    }
}

/// Same shape, and max |actual − expected| ≤ `relative` × max |expected|; returns the max abs error (printed as
/// `parity <label>` for the report).
@discardableResult
func expectClose(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-4, _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) -> Float {
    #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)",
            sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return .infinity }
    let a = actual.scalars, e = expected.scalars
    let scale = e.reduce(Float(0)) { max($0, abs($1)) }
    var worst: Float = 0
    for index in e.indices {
        let difference = abs(a[index] - e[index])
        worst = difference.isNaN ? .infinity : max(worst, difference)
    }
    print("parity \(label): max abs error \(worst), scale \(scale), relative \(worst / max(scale, 1e-12))")
    #expect(worst <= relative * max(scale, 1e-6), "\(label): max abs error \(worst) (scale \(scale))",
            sourceLocation: sourceLocation)
    return worst
}

/// Decodes a configuration from JSON text the way a loader does (through `ModelConfiguration`).
func decodeConfiguration<T: Decodable>(_ type: T.Type, _ json: String) throws(WeightsError) -> T {
    try ModelConfiguration.decode(type, from: Data(json.utf8), path: "config.json")
}

/// Opt-in timings (`SD_MODELS_BENCH=1`) run on `SD_MODELS_BENCH_THREADS` threads (BLAS and loops) when set.
func benchThreads() {
    if let text = ProcessInfo.processInfo.environment["SD_MODELS_BENCH_THREADS"], let threads = Int(text) {
        ComputeThreads.setCount(threads)
    }
    print("bench threads: \(ComputeThreads.count)")
}
