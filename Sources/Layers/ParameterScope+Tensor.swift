// Bridges `Weights` (what a checkpoint holds) and `Tensor` (what layers compute with).
//
// Every layer initialiser requests its own tensors through these helpers, with the shape its
// configuration implies; problems (missing key, other shape, unusable dtype) are recorded by the
// store and reported together by `ParameterStore.finishLoading(ignoring:)`.

import Tensor
import Weights

extension ParameterScope {
    /// Requests `name` under this scope with the expected `shape` and copies its values into a
    /// `Tensor` (once, at load). A missing or mismatched key yields zeros of `shape`; the store
    /// records the problem for `finishLoading`.
    public func tensor(_ name: String, shape: [Int]) throws(WeightsError) -> Tensor {
        Tensor(try parameter(name, shape: shape))
    }

    /// Like `tensor(_:shape:)`, but `nil` when the checkpoint does not hold `name` at all.
    public func optionalTensor(_ name: String, shape: [Int]) throws(WeightsError) -> Tensor? {
        try optionalParameter(name, shape: shape).map { Tensor($0) }
    }

    /// Throws `WeightsError.configurationInvalid` naming this scope and `key` unless `condition` holds.
    /// Layers use it for configuration numbers that cannot describe a valid module
    /// (e.g. channels not divisible by the group count).
    func require(_ condition: Bool, key: String, _ reason: @autoclosure () -> String) throws(WeightsError) {
        guard condition else {
            throw .configurationInvalid(path: prefix.isEmpty ? "<root>" : prefix, key: key, reason: reason())
        }
    }
}

extension Tensor {
    /// A contiguous tensor holding a copy of `parameter`'s values (widened to Float32). The parameter's mapped
    /// file pages are released after the copy, so a loaded model holds its weights once, not twice.
    public init(_ parameter: Parameter) {
        self.init(uninitializedShape: parameter.shape)
        withUnsafeMutableBufferPointer { destination in
            parameter.withUnsafeFloats { source in
                guard let from = source.baseAddress, let to = destination.baseAddress else { return }
                to.update(from: from, count: min(source.count, destination.count))
            }
        }
        parameter.releaseMappedPages()
    }
}
