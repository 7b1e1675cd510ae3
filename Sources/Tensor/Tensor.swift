// The Tensor value type: Float32 storage, a shape, and strides for views.
//
// Mirrors the parts of `torch.Tensor` the engine needs: row-major contiguous storage by default,
// strided views (permute, slice, expand) that share storage, and `contiguous()` to materialise them.

/// An n-dimensional Float32 array with value semantics (copy-on-write storage, strided views).
public struct Tensor: Sendable {
    /// The shared memory this tensor (or view) reads.
    public private(set) var storage: TensorStorage
    /// Sizes of each dimension (`[]` for a scalar).
    public let shape: [Int]
    /// Element strides of each dimension (0 for broadcast dimensions).
    public let strides: [Int]
    /// Element offset of the first element in `storage`.
    public let offset: Int

    /// Wraps existing storage (no copy).
    public init(storage: TensorStorage, shape: [Int], strides: [Int]? = nil, offset: Int = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        self.storage = storage
        self.shape = shape
        self.strides = strides ?? Tensor.contiguousStrides(for: shape)
        self.offset = offset
    }

    /// A contiguous tensor with uninitialised contents, from the buffer pool. Ops that write every element use it.
    public init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        self.init(storage: TensorStorage(uninitializedCount: shape.reduce(1, *)), shape: shape)
    }

    /// A contiguous tensor holding `values` (row-major) with the given shape.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "Tensor: \(values.count) values for shape \(shape)")
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { storage.pointer.update(from: base, count: values.count) }
        }
    }

    /// A tensor filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(uninitializedShape: shape)
        storage.pointer.update(repeating: value, count: elementCount)
    }

    /// A zero-filled tensor.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor filled with ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A scalar (rank-0) tensor.
    public init(scalar: Float) { self.init(shape: [], values: [scalar]) }

    /// `torch.arange(start, end, step)` as Float32.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: zero step")
        let count = max(0, Int(((Double(end) - Double(start)) / Double(step)).rounded(.up)))
        return Tensor(shape: [count], values: (0..<count).map { start + Float($0) * step })
    }

    /// Row-major strides for `shape`.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for index in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[index] = running
            running *= shape[index]
        }
        return strides
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Total number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Whether elements are laid out row-major without gaps (size-1 dimensions may have any stride).
    public var isContiguous: Bool {
        var expected = 1
        for index in stride(from: rank - 1, through: 0, by: -1) where shape[index] != 1 {
            if strides[index] != expected { return false }
            expected *= shape[index]
        }
        return true
    }

    /// Pointer to the first element (valid while `self` is alive). Read-only by contract.
    public var basePointer: UnsafePointer<Float> { UnsafePointer(storage.pointer + offset) }

    /// Normalises a possibly negative dimension index (`-1` is the last).
    public func normalizedDimension(_ dimension: Int, op: String) throws(TensorError) -> Int {
        let normalized = dimension < 0 ? dimension + rank : dimension
        guard normalized >= 0 && normalized < max(rank, 1) else {
            throw .dimensionOutOfRange(op: op, shape: shape, dimension: dimension)
        }
        return normalized
    }

    /// Element at a multi-index (for tests and small tensors; not for hot loops).
    public subscript(_ indices: Int...) -> Float {
        get {
            precondition(indices.count == rank, "Tensor: \(indices.count) indices for rank \(rank)")
            var position = offset
            for (dimension, index) in indices.enumerated() {
                precondition(index >= 0 && index < shape[dimension], "Tensor: index \(indices) out of bounds for \(shape)")
                position += index * strides[dimension]
            }
            return storage.pointer[position]
        }
        set {
            precondition(indices.count == rank, "Tensor: \(indices.count) indices for rank \(rank)")
            makeUniqueContiguous()
            var position = 0
            for (dimension, index) in indices.enumerated() {
                precondition(index >= 0 && index < shape[dimension], "Tensor: index \(indices) out of bounds for \(shape)")
                position += index * strides[dimension]
            }
            storage.pointer[offset + position] = newValue
        }
    }

    /// All elements in row-major order.
    public var scalars: [Float] {
        let dense = contiguous()
        return Array(UnsafeBufferPointer(start: dense.basePointer, count: elementCount))
    }

    /// Reads the elements (row-major, contiguous) without copying when already contiguous.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let dense = contiguous()
        return try body(UnsafeBufferPointer(start: dense.basePointer, count: elementCount))
    }

    /// Writes the elements in place (row-major). Copies first when storage is shared or the tensor is a view.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUniqueContiguous()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer + offset, count: elementCount))
    }

    /// Ensures exclusive, contiguous storage (copy-on-write).
    private mutating func makeUniqueContiguous() {
        if isKnownUniquelyReferenced(&storage) && isContiguous && offset + elementCount <= storage.count { return }
        self = copy()
    }

    /// A fresh contiguous copy that shares nothing with `self`.
    public func copy() -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        StridedCopy.copy(from: self, into: result.storage.pointer)
        return result
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = elementCount <= 8 ? "\(scalars)" : "\(Array(scalars.prefix(8)))…"
        return "Tensor(shape: \(shape), \(preview))"
    }
}

/// Gathers a strided tensor into dense row-major memory.
enum StridedCopy {
    static func copy(from source: Tensor, into destination: UnsafeMutablePointer<Float>) {
        let count = source.elementCount
        guard count > 0 else { return }
        let base = source.storage.pointer + source.offset
        if source.isContiguous {
            destination.update(from: base, count: count)
            return
        }
        let rank = source.rank
        let shape = source.shape
        let strides = source.strides
        let innerSize = shape[rank - 1]
        let innerStride = strides[rank - 1]
        let outerCount = count / innerSize
        ParallelLoop.forEachChunk(outerCount, minimumPerChunk: max(1, 32768 / max(innerSize, 1))) { rows in
            var index = [Int](repeating: 0, count: max(rank - 1, 0))
            // Decompose the first row index.
            var remainder = rows.lowerBound
            for dimension in stride(from: rank - 2, through: 0, by: -1) {
                index[dimension] = remainder % shape[dimension]
                remainder /= shape[dimension]
            }
            for row in rows {
                var sourceOffset = 0
                for dimension in 0..<(rank - 1) { sourceOffset += index[dimension] * strides[dimension] }
                let output = destination + row * innerSize
                let input = base + sourceOffset
                if innerStride == 1 {
                    output.update(from: input, count: innerSize)
                } else {
                    for column in 0..<innerSize { output[column] = input[column * innerStride] }
                }
                // Advance the multi-index.
                var dimension = rank - 2
                while dimension >= 0 {
                    index[dimension] += 1
                    if index[dimension] < shape[dimension] { break }
                    index[dimension] = 0
                    dimension -= 1
                }
            }
        }
    }
}
