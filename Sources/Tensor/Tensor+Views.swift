// Shape and view operations: reshape, permute, slice, expand (broadcast), concat, contiguous.
// Views share storage with their source, like PyTorch's `view`/`permute`/`narrow`/`expand`.

extension Tensor {
    /// `torch.Tensor.contiguous()`: `self` when already dense, else a row-major copy.
    public func contiguous() -> Tensor {
        isContiguous ? self : copy()
    }

    /// `torch.reshape`: a view when the layout allows it, else a copy. One dimension may be `-1`.
    public func reshaped(_ newShape: [Int]) throws(TensorError) -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw .invalidArgument(op: "reshape", reason: "invalid shape \(newShape)")
        }
        if let slot = inferred.first {
            let known = newShape.enumerated().filter { $0.offset != slot }.map(\.element).reduce(1, *)
            guard known > 0, elementCount % known == 0 else {
                throw .shapeMismatch(op: "reshape", shapes: [shape, newShape], reason: "cannot infer -1")
            }
            resolved[slot] = elementCount / known
        }
        guard resolved.reduce(1, *) == elementCount else {
            throw .shapeMismatch(op: "reshape", shapes: [shape, newShape], reason: "element counts differ")
        }
        let dense = contiguous()
        return Tensor(storage: dense.storage, shape: resolved, offset: dense.offset)
    }

    /// `reshaped` for shapes known to be valid (programmer error otherwise).
    public func view(_ newShape: Int...) -> Tensor {
        do { return try reshaped(newShape) } catch { preconditionFailure("\(error)") }
    }

    /// `torch.flatten(start_dim, end_dim)`.
    public func flattened(from start: Int = 0, to end: Int = -1) throws(TensorError) -> Tensor {
        guard rank > 0 else { return try reshaped([1]) }
        let first = try normalizedDimension(start, op: "flatten")
        let last = try normalizedDimension(end, op: "flatten")
        guard first <= last else { throw .invalidArgument(op: "flatten", reason: "start \(start) after end \(end)") }
        let merged = shape[first...last].reduce(1, *)
        return try reshaped(Array(shape[..<first]) + [merged] + Array(shape[(last + 1)...]))
    }

    /// `torch.permute`: reorders dimensions (a view).
    public func permuted(_ order: [Int]) throws(TensorError) -> Tensor {
        guard order.count == rank else {
            throw .invalidArgument(op: "permute", reason: "order \(order) for rank \(rank)")
        }
        var normalized: [Int] = []
        for dimension in order { normalized.append(try normalizedDimension(dimension, op: "permute")) }
        guard Set(normalized).count == rank else {
            throw .invalidArgument(op: "permute", reason: "order \(order) repeats a dimension")
        }
        return Tensor(storage: storage, shape: normalized.map { shape[$0] }, strides: normalized.map { strides[$0] }, offset: offset)
    }

    /// `torch.transpose(dim0, dim1)` (a view).
    public func transposed(_ first: Int = -2, _ second: Int = -1) throws(TensorError) -> Tensor {
        let a = try normalizedDimension(first, op: "transpose")
        let b = try normalizedDimension(second, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return try permuted(order)
    }

    /// `tensor[..., start:end:step, ...]` along one dimension (a view). Bounds clamp like Python slicing.
    public func sliced(dimension: Int, start: Int = 0, end: Int? = nil, step: Int = 1) throws(TensorError) -> Tensor {
        let axis = try normalizedDimension(dimension, op: "slice")
        guard step > 0 else { throw .invalidArgument(op: "slice", reason: "step must be positive, got \(step)") }
        let size = shape[axis]
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + size : value, 0), size) }
        let lower = clamp(start)
        let upper = max(lower, clamp(end ?? size))
        var newShape = shape
        var newStrides = strides
        newShape[axis] = (upper - lower + step - 1) / step
        newStrides[axis] = strides[axis] * step
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset + lower * strides[axis])
    }

    /// `tensor.select(dim, index)`: removes one dimension (a view).
    public func selected(dimension: Int, index: Int) throws(TensorError) -> Tensor {
        let axis = try normalizedDimension(dimension, op: "select")
        let position = index < 0 ? index + shape[axis] : index
        guard position >= 0 && position < shape[axis] else {
            throw .invalidArgument(op: "select", reason: "index \(index) out of range for size \(shape[axis])")
        }
        var newShape = shape
        var newStrides = strides
        newShape.remove(at: axis)
        newStrides.remove(at: axis)
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset + position * strides[axis])
    }

    /// `torch.unsqueeze(dim)` (a view).
    public func unsqueezed(_ dimension: Int) throws(TensorError) -> Tensor {
        let axis = dimension < 0 ? dimension + rank + 1 : dimension
        guard axis >= 0 && axis <= rank else { throw .dimensionOutOfRange(op: "unsqueeze", shape: shape, dimension: dimension) }
        var newShape = shape
        var newStrides = strides
        newShape.insert(1, at: axis)
        newStrides.insert(axis < rank ? strides[axis] * shape[axis] : 1, at: axis)
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset)
    }

    /// `torch.squeeze(dim)`: removes a size-1 dimension (no-op when its size is not 1, like PyTorch).
    public func squeezed(_ dimension: Int) throws(TensorError) -> Tensor {
        let axis = try normalizedDimension(dimension, op: "squeeze")
        guard shape[axis] == 1 else { return self }
        var newShape = shape
        var newStrides = strides
        newShape.remove(at: axis)
        newStrides.remove(at: axis)
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset)
    }

    /// `torch.Tensor.expand`: broadcasts size-1 dimensions (stride 0) and prepends new leading ones (a view).
    public func expanded(to target: [Int]) throws(TensorError) -> Tensor {
        guard target.count >= rank else { throw .notBroadcastable(op: "expand", shapes: [shape, target]) }
        let lead = target.count - rank
        var newStrides = [Int](repeating: 0, count: target.count)
        var newShape = target
        for index in 0..<target.count {
            if index < lead {
                guard target[index] >= 0 else { throw .notBroadcastable(op: "expand", shapes: [shape, target]) }
                continue
            }
            let size = shape[index - lead]
            if target[index] == -1 || target[index] == size {
                newShape[index] = size
                newStrides[index] = strides[index - lead]
            } else if size == 1 {
                newStrides[index] = 0
            } else {
                throw .notBroadcastable(op: "expand", shapes: [shape, target])
            }
        }
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset)
    }

    /// The shape two tensors broadcast to (`torch.broadcast_shapes`).
    public static func broadcastShape(_ a: [Int], _ b: [Int], op: String = "broadcast") throws(TensorError) -> [Int] {
        let count = max(a.count, b.count)
        var result = [Int](repeating: 1, count: count)
        for index in 0..<count {
            let x = index < count - a.count ? 1 : a[index - (count - a.count)]
            let y = index < count - b.count ? 1 : b[index - (count - b.count)]
            guard x == y || x == 1 || y == 1 else { throw .notBroadcastable(op: op, shapes: [a, b]) }
            result[index] = x == 1 ? y : x
        }
        return result
    }

    /// `torch.cat(tensors, dim)`.
    public static func concatenate(_ tensors: [Tensor], dimension: Int) throws(TensorError) -> Tensor {
        guard let first = tensors.first else { throw .invalidArgument(op: "cat", reason: "no tensors") }
        let axis = try first.normalizedDimension(dimension, op: "cat")
        for tensor in tensors {
            var a = tensor.shape
            var b = first.shape
            guard a.count == b.count else {
                throw .shapeMismatch(op: "cat", shapes: tensors.map(\.shape), reason: "ranks differ")
            }
            a[axis] = 0
            b[axis] = 0
            guard a == b else {
                throw .shapeMismatch(op: "cat", shapes: tensors.map(\.shape), reason: "sizes differ outside dimension \(axis)")
            }
        }
        var outShape = first.shape
        outShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let result = Tensor(uninitializedShape: outShape)
        let outer = outShape[..<axis].reduce(1, *)
        let inner = outShape[(axis + 1)...].reduce(1, *)
        let outRow = outShape[axis] * inner
        var position = 0
        for tensor in tensors {
            let dense = tensor.contiguous()
            let chunk = tensor.shape[axis] * inner
            let source = dense.basePointer
            let destination = result.storage.pointer + position
            if chunk > 0 {
                for row in 0..<outer {
                    (destination + row * outRow).update(from: source + row * chunk, count: chunk)
                }
            }
            position += chunk
        }
        return result
    }

    /// `torch.chunk(chunks, dim)` for evenly divisible sizes: views of equal parts.
    public func chunked(_ count: Int, dimension: Int) throws(TensorError) -> [Tensor] {
        let axis = try normalizedDimension(dimension, op: "chunk")
        guard count > 0, shape[axis] % count == 0 else {
            throw .invalidArgument(op: "chunk", reason: "size \(shape[axis]) not divisible into \(count) chunks")
        }
        let part = shape[axis] / count
        var parts: [Tensor] = []
        for index in 0..<count {
            parts.append(try sliced(dimension: axis, start: index * part, end: (index + 1) * part))
        }
        return parts
    }
}
