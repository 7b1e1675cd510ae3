/// One named weight handed to a model by a `ParameterScope`: its full key, shape and values.
///
/// Values come from the file mapping (read in place or widened per read) or from a buffer
/// widened at load, depending on the store's `WeightsPrecisionPolicy`. When the checkpoint lacks
/// the key or stores it with another shape or an unusable dtype, the store records the problem
/// and returns a *placeholder* of the requested shape whose values are zeros, so the model can
/// finish constructing and `ParameterStore.finishLoading` can report every problem at once. A
/// model built from placeholders must never be used: `finishLoading` throws in that case.
public struct Parameter: Sendable {
    enum Storage: Sendable {
        case mapped(SafetensorsTensor)
        case widened([Float], storedAs: SafetensorsDataType)
        case placeholder
    }

    /// The full dotted key, e.g. `down_blocks.0.resnets.1.conv1.weight`.
    public let key: String
    /// Dimensions, outermost first (the requested shape, which the stored shape matched).
    public let shape: [Int]
    let storage: Storage

    init(key: String, shape: [Int], storage: Storage) {
        self.key = key
        self.shape = shape
        self.storage = storage
    }

    /// The product of `shape`.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Whether this parameter stands in for a missing or mismatched tensor (values are zeros).
    public var isPlaceholder: Bool {
        if case .placeholder = storage { return true }
        return false
    }

    /// The dtype in the file (nil for a placeholder).
    public var storedDataType: SafetensorsDataType? {
        switch storage {
        case .mapped(let tensor): return tensor.dataType
        case .widened(_, let dataType): return dataType
        case .placeholder: return nil
        }
    }

    /// The values as `Float`, in row-major order.
    public func floats() -> [Float] {
        withUnsafeFloats { Array($0) }
    }

    /// Calls `body` with the values as `Float`. Zero-copy for mapped F32 data at a 4-byte-aligned
    /// offset and for values widened at load; otherwise widens into a temporary buffer.
    public func withUnsafeFloats<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        switch storage {
        case .widened(let values, _):
            return try values.withUnsafeBufferPointer(body)
        case .mapped(let tensor):
            if tensor.dataType == .float32 {
                let aligned: UnsafeBufferPointer<Float>? = tensor.withUnsafeBytes { bytes in
                    guard let base = bytes.baseAddress,
                          Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 else { return nil }
                    return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: tensor.elementCount)
                }
                #if _endian(little)
                // The mapping is kept alive by `tensor` for the duration of `body`.
                if let aligned { return try withExtendedLifetime(tensor) { try body(aligned) } }
                #endif
            }
            let widened = [Float](unsafeUninitializedCapacity: tensor.elementCount) { buffer, initializedCount in
                let converted = tensor.withUnsafeBytes { FloatConversion.widen($0, of: tensor.dataType, into: buffer) }
                if !converted { buffer.initialize(repeating: 0) }
                initializedCount = buffer.count
            }
            return try widened.withUnsafeBufferPointer(body)
        case .placeholder:
            let zeros = [Float](repeating: 0, count: elementCount)
            return try zeros.withUnsafeBufferPointer(body)
        }
    }

    /// For values read from the file mapping: drops the process's resident copy of their pages, once a model has
    /// copied them into its own memory. Without it, loading an F32 checkpoint peaks at twice the weights (the
    /// mapped pages stay resident next to the copies until the file is unmapped). Values stay readable (the pages
    /// come back from the file on access); a no-op for widened values and placeholders.
    public func releaseMappedPages() {
        if case .mapped(let tensor) = storage { tensor.releaseResidentPages() }
    }

    /// Writes the values into `destination`, which must hold exactly `elementCount` floats.
    public func copyFloats(into destination: UnsafeMutableBufferPointer<Float>) throws(WeightsError) {
        guard destination.count == elementCount else {
            throw .destinationSizeMismatch(tensor: key, expected: elementCount, found: destination.count)
        }
        withUnsafeFloats { source in
            guard let sourceBase = source.baseAddress, let destinationBase = destination.baseAddress else { return }
            destinationBase.update(from: sourceBase, count: source.count)
        }
    }
}
