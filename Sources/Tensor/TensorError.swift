// Typed errors for shape problems that can come from user input.

/// An op rejected its arguments. Each case names the op (e.g. `"conv2d"`) and the shapes at fault.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two or more shapes that must agree do not.
    case shapeMismatch(op: String, shapes: [[Int]], reason: String)
    /// A dimension index outside `-rank..<rank`.
    case dimensionOutOfRange(op: String, shape: [Int], dimension: Int)
    /// Shapes that cannot be broadcast together (PyTorch broadcasting rules).
    case notBroadcastable(op: String, shapes: [[Int]])
    /// An argument value outside its domain (negative size, zero stride, bad index…).
    case invalidArgument(op: String, reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, shapes, reason):
            return "\(op): shape mismatch \(shapes.map { "\($0)" }.joined(separator: " vs ")): \(reason)"
        case let .dimensionOutOfRange(op, shape, dimension):
            return "\(op): dimension \(dimension) out of range for shape \(shape)"
        case let .notBroadcastable(op, shapes):
            return "\(op): shapes \(shapes.map { "\($0)" }.joined(separator: ", ")) cannot be broadcast together"
        case let .invalidArgument(op, reason):
            return "\(op): \(reason)"
        }
    }
}
