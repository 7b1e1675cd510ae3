// Loads the golden op fixtures written by Tools/reference/make_op_fixtures.py.

import Foundation
import Testing
import Weights
@testable import Tensor

/// One fixture file: per-case tensors (`<case>.<name>`) and parameters (metadata `fixture` → `cases`).
struct OpFixture {
    let file: SafetensorsFile
    let cases: [String: [String: Any]]

    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ops")

    init(_ name: String) throws {
        file = try SafetensorsFile(path: OpFixture.folder.appendingPathComponent("\(name).safetensors").path)
        let json = file.metadata["fixture"] ?? "{}"
        let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        cases = root?["cases"] as? [String: [String: Any]] ?? [:]
    }

    /// Case names for one op, sorted.
    func cases(op: String) -> [String] {
        cases.filter { ($0.value["op"] as? String) == op }.map(\.key).sorted()
    }

    func parameters(_ name: String) -> [String: Any] { cases[name] ?? [:] }

    private func storedName(_ name: String, _ key: String) -> String {
        ((parameters(name)["refs"] as? [String: String])?[key]) ?? "\(name).\(key)"
    }

    func has(_ name: String, _ key: String) -> Bool { file.contains(storedName(name, key)) }

    func tensor(_ name: String, _ key: String) throws -> Tensor {
        let stored = try file.tensor(named: storedName(name, key))
        let values: [Float] = stored.dataType.widensToFloat ? try stored.floats() : try stored.integers().map(Float.init)
        return Tensor(shape: stored.shape, values: values)
    }

    func optionalTensor(_ name: String, _ key: String) throws -> Tensor? {
        has(name, key) ? try tensor(name, key) : nil
    }

    func integers(_ name: String, _ key: String) throws -> [Int] {
        try file.tensor(named: storedName(name, key)).integers()
    }

    func int(_ name: String, _ key: String) -> Int? { (parameters(name)[key] as? NSNumber)?.intValue }
    func float(_ name: String, _ key: String) -> Float? { (parameters(name)[key] as? NSNumber)?.floatValue }
    func bool(_ name: String, _ key: String) -> Bool? { (parameters(name)[key] as? NSNumber)?.boolValue }
    func string(_ name: String, _ key: String) -> String? { parameters(name)[key] as? String }
    func pair(_ name: String, _ key: String) -> (Int, Int)? {
        guard let values = parameters(name)[key] as? [NSNumber], values.count == 2 else { return nil }
        return (values[0].intValue, values[1].intValue)
    }
    func doublePair(_ name: String, _ key: String) -> (Double, Double)? {
        guard let values = parameters(name)[key] as? [NSNumber], values.count == 2 else { return nil }
        return (values[0].doubleValue, values[1].doubleValue)
    }
    func ints(_ name: String, _ key: String) -> [Int]? { (parameters(name)[key] as? [NSNumber])?.map(\.intValue) }
}

/// Checks `actual` against `expected`: same shape, NaN where PyTorch has NaN, and
/// max |difference| ≤ `relative` × max |expected| (the output's scale); `relative: 0` demands exact equality.
func expectMatches(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-4, _ label: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = actual.scalars, e = expected.scalars
    var scale: Float = 0
    for value in e where value.isFinite { scale = max(scale, abs(value)) }
    let tolerance = relative * max(scale, 1e-6)
    var worst: Float = 0
    var mismatchedSpecial = 0
    for index in e.indices {
        if !e[index].isFinite || !a[index].isFinite {
            if !(e[index].isNaN && a[index].isNaN) && e[index] != a[index] { mismatchedSpecial += 1 }
            continue
        }
        worst = max(worst, abs(a[index] - e[index]))
    }
    #expect(mismatchedSpecial == 0, "\(label): \(mismatchedSpecial) NaN/inf positions differ", sourceLocation: sourceLocation)
    #expect(worst <= tolerance, "\(label): max abs error \(worst) > \(tolerance) (scale \(scale))", sourceLocation: sourceLocation)
}
