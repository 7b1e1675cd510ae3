// Element-wise arithmetic with PyTorch broadcasting (`torch.add`, `torch.mul`, …) and reductions used by layers.

extension Tensor {
    /// Applies `transform` to every element (parallel over chunks); returns a new contiguous tensor.
    public func map(_ transform: (Float) -> Float) -> Tensor {
        let source = contiguous()
        let result = Tensor(uninitializedShape: shape)
        let input = source.basePointer
        let output = result.storage.pointer
        ParallelLoop.forEachChunk(elementCount, minimumPerChunk: 16384) { range in
            for index in range { output[index] = transform(input[index]) }
        }
        return result
    }

    /// Combines two tensors element-wise with PyTorch broadcasting.
    public static func zip(_ a: Tensor, _ b: Tensor, op: String = "binary", _ combine: (Float, Float) -> Float) throws(TensorError) -> Tensor {
        let outShape = try broadcastShape(a.shape, b.shape, op: op)
        let result = Tensor(uninitializedShape: outShape)
        let output = result.storage.pointer
        let count = result.elementCount
        guard count > 0 else { return result }
        if a.shape == b.shape && a.isContiguous && b.isContiguous {
            let x = a.basePointer, y = b.basePointer
            ParallelLoop.forEachChunk(count, minimumPerChunk: 16384) { range in
                for index in range { output[index] = combine(x[index], y[index]) }
            }
            return result
        }
        let left = try a.expanded(to: outShape)
        let right = try b.expanded(to: outShape)
        let rank = outShape.count
        let inner = rank == 0 ? 1 : outShape[rank - 1]
        let leftInner = rank == 0 ? 0 : left.strides[rank - 1]
        let rightInner = rank == 0 ? 0 : right.strides[rank - 1]
        let rows = count / max(inner, 1)
        let x = left.basePointer, y = right.basePointer
        ParallelLoop.forEachChunk(rows, minimumPerChunk: max(1, 16384 / max(inner, 1))) { range in
            for row in range {
                var remainder = row
                var leftOffset = 0, rightOffset = 0
                if rank >= 2 {
                    for dimension in stride(from: rank - 2, through: 0, by: -1) {
                        let index = remainder % outShape[dimension]
                        remainder /= outShape[dimension]
                        leftOffset += index * left.strides[dimension]
                        rightOffset += index * right.strides[dimension]
                    }
                }
                let out = output + row * inner
                for column in 0..<inner {
                    out[column] = combine(x[leftOffset + column * leftInner], y[rightOffset + column * rightInner])
                }
            }
        }
        return result
    }

    /// `torch.add` with broadcasting.
    public static func + (a: Tensor, b: Tensor) throws(TensorError) -> Tensor { try arithmetic(a, b, .add) }
    /// `torch.sub` with broadcasting.
    public static func - (a: Tensor, b: Tensor) throws(TensorError) -> Tensor { try arithmetic(a, b, .subtract) }
    /// `torch.mul` with broadcasting.
    public static func * (a: Tensor, b: Tensor) throws(TensorError) -> Tensor { try arithmetic(a, b, .multiply) }
    /// `torch.div` with broadcasting.
    public static func / (a: Tensor, b: Tensor) throws(TensorError) -> Tensor { try arithmetic(a, b, .divide) }

    enum Arithmetic: String { case add, subtract = "sub", multiply = "mul", divide = "div" }

    /// The four arithmetic ops with the operator chosen outside the loops, so the common layouts
    /// (same shape; a row or a per-channel value broadcast against contiguous data) run as plain vector loops.
    static func arithmetic(_ a: Tensor, _ b: Tensor, _ kind: Arithmetic) throws(TensorError) -> Tensor {
        @inline(__always) func run(_ x: UnsafePointer<Float>, _ xStride: Int, _ y: UnsafePointer<Float>, _ yStride: Int,
                                   _ out: UnsafeMutablePointer<Float>, _ count: Int) {
            switch (kind, xStride, yStride) {
            case (.add, 1, 1): for i in 0..<count { out[i] = x[i] + y[i] }
            case (.subtract, 1, 1): for i in 0..<count { out[i] = x[i] - y[i] }
            case (.multiply, 1, 1): for i in 0..<count { out[i] = x[i] * y[i] }
            case (.divide, 1, 1): for i in 0..<count { out[i] = x[i] / y[i] }
            case (.add, 1, 0): let v = y[0]; for i in 0..<count { out[i] = x[i] + v }
            case (.subtract, 1, 0): let v = y[0]; for i in 0..<count { out[i] = x[i] - v }
            case (.multiply, 1, 0): let v = y[0]; for i in 0..<count { out[i] = x[i] * v }
            case (.divide, 1, 0): let v = y[0]; for i in 0..<count { out[i] = x[i] / v }
            case (.add, _, _): for i in 0..<count { out[i] = x[i * xStride] + y[i * yStride] }
            case (.subtract, _, _): for i in 0..<count { out[i] = x[i * xStride] - y[i * yStride] }
            case (.multiply, _, _): for i in 0..<count { out[i] = x[i * xStride] * y[i * yStride] }
            case (.divide, _, _): for i in 0..<count { out[i] = x[i * xStride] / y[i * yStride] }
            }
        }
        let outShape = try broadcastShape(a.shape, b.shape, op: kind.rawValue)
        let result = Tensor(uninitializedShape: outShape)
        let output = result.storage.pointer
        let count = result.elementCount
        guard count > 0 else { return result }
        if a.shape == b.shape && a.isContiguous && b.isContiguous {
            let x = a.basePointer, y = b.basePointer
            ParallelLoop.forEachChunk(count, minimumPerChunk: 32768) { range in
                run(x + range.lowerBound, 1, y + range.lowerBound, 1, output + range.lowerBound, range.count)
            }
            return result
        }
        let left = try a.expanded(to: outShape), right = try b.expanded(to: outShape)
        let rank = outShape.count
        let inner = rank == 0 ? 1 : outShape[rank - 1]
        let leftInner = rank == 0 ? 0 : left.strides[rank - 1], rightInner = rank == 0 ? 0 : right.strides[rank - 1]
        let rows = count / max(inner, 1)
        let x = left.basePointer, y = right.basePointer
        ParallelLoop.forEachChunk(rows, minimumPerChunk: max(1, 32768 / max(inner, 1))) { range in
            for row in range {
                var remainder = row, leftOffset = 0, rightOffset = 0
                if rank >= 2 {
                    for dimension in stride(from: rank - 2, through: 0, by: -1) {
                        let index = remainder % outShape[dimension]
                        remainder /= outShape[dimension]
                        leftOffset += index * left.strides[dimension]
                        rightOffset += index * right.strides[dimension]
                    }
                }
                if leftInner == 0 && rightInner != 0 && (kind == .add || kind == .multiply) {
                    // Commutative: keep the broadcast scalar on the right for the fast loop.
                    run(y + rightOffset, rightInner, x + leftOffset, 0, output + row * inner, inner)
                } else {
                    run(x + leftOffset, leftInner, y + rightOffset, rightInner, output + row * inner, inner)
                }
            }
        }
        return result
    }

    /// Adds a scalar.
    public static func + (a: Tensor, b: Float) -> Tensor { a.map { $0 + b } }
    /// Multiplies by a scalar.
    public static func * (a: Tensor, b: Float) -> Tensor { a.map { $0 * b } }
    /// Multiplies by a scalar.
    public static func * (a: Float, b: Tensor) -> Tensor { b.map { a * $0 } }

    /// `a += b` in place when `a` owns its storage (no allocation in the hot loop), broadcasting `b`.
    public mutating func add(_ other: Tensor, scale: Float = 1) throws(TensorError) {
        let target = try Tensor.broadcastShape(shape, other.shape, op: "add_")
        guard target == shape else { throw .notBroadcastable(op: "add_", shapes: [shape, other.shape]) }
        let source = try other.expanded(to: shape)
        if source.isContiguous {
            let y = source.basePointer
            withUnsafeMutableBufferPointer { buffer in
                let x = buffer.baseAddress!
                ParallelLoop.forEachChunk(buffer.count, minimumPerChunk: 16384) { range in
                    for index in range { x[index] += scale * y[index] }
                }
            }
        } else {
            self = try Tensor.zip(self, source, op: "add_") { $0 + scale * $1 }
        }
    }

    /// Sum of all elements (accumulated in Double).
    public func sum() -> Float {
        withUnsafeBufferPointer { buffer in Float(buffer.reduce(0.0) { $0 + Double($1) }) }
    }

    /// Largest absolute element-wise difference to `other` (same shape); for tests and diagnostics.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "maxAbsDifference: \(shape) vs \(other.shape)")
        let a = scalars, b = other.scalars
        var worst: Float = 0
        for index in a.indices {
            let difference = abs(a[index] - b[index])
            if difference.isNaN { return .nan }
            worst = max(worst, difference)
        }
        return worst
    }

    /// Largest absolute element.
    public func maxAbs() -> Float { scalars.reduce(0) { max($0, abs($1)) } }
}
