// Typed errors of the detection module.

import Tensor
import Weights

/// A detector that cannot be loaded or a request it cannot run. Each case names what is at fault so the
/// service can map it to a client error (`invalidParameter`, `invalidImage`) or a server error (the rest).
public enum DetectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model folder, its configuration or its weights could not be loaded (missing, unexpected and
    /// mis-shaped tensors are listed together in the wrapped `WeightsError.loadFailed` report).
    case loadFailed(WeightsError)
    /// A request parameter is outside what the detector accepts (`parameter` is the Swift property name).
    case invalidParameter(parameter: String, reason: String)
    /// An input image the detector cannot use.
    case invalidImage(reason: String)
    /// Features and image do not belong together (another size, another detector).
    case featuresMismatch(reason: String)
    /// A recorded noise source ran out or holds a draw of another shape than the sampler asks for.
    case noiseMismatch(draw: Int, reason: String)
    /// A tensor op rejected its arguments (a bug, or a model whose shapes do not fit together).
    case tensor(TensorError)

    public var description: String {
        switch self {
        case .loadFailed(let error): return "loading the detector failed: \(error)"
        case .invalidParameter(let parameter, let reason): return "invalid \(parameter): \(reason)"
        case .invalidImage(let reason): return "invalid image: \(reason)"
        case .featuresMismatch(let reason): return "features do not fit the image: \(reason)"
        case .noiseMismatch(let draw, let reason): return "noise draw \(draw): \(reason)"
        case .tensor(let error): return "tensor op failed: \(error)"
        }
    }
}

/// Runs `body`, turning a `TensorError` into `DetectionError.tensor`.
@inline(__always)
func tensorOp<T>(_ body: () throws(TensorError) -> T) throws(DetectionError) -> T {
    do { return try body() } catch { throw .tensor(error) }
}
