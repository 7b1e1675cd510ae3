/// How a `ParameterStore` holds F16 and BF16 weights after a model asks for them.
///
/// F32 tensors are never copied by the store under either policy: they stay in the read-only
/// file mapping, and `Parameter.withUnsafeFloats` reads them in place. Memory figures below are
/// per parameter (one element) of a half-precision tensor.
///
/// | policy | resident while serving | each read of the values |
/// |---|---|---|
/// | `keepStored` | 2 bytes, file-backed page cache (shared between processes, evictable) | a temporary 4-byte `Float` per element, freed after the read |
/// | `widenAtLoad` | 4 bytes of anonymous memory, held by the `Parameter` (the 2-byte pages touched once while widening stay as clean, evictable page cache) | none: reads are zero-copy |
///
/// Example: a 1.07 B-parameter F16 checkpoint (an SD-1.5-sized model) costs about 2.1 GB
/// of page cache with `keepStored` and about 4.3 GB of private memory with `widenAtLoad`.
/// Pick `keepStored` when memory is tight or weights are read once (copied into a tensor type
/// anyway); pick `widenAtLoad` when the same weights are read many times in place.
public enum WeightsPrecisionPolicy: String, Sendable, CaseIterable {
    /// Keep F16/BF16 values as stored in the mapping and widen to `Float` on each read.
    case keepStored = "keep-stored"
    /// Widen F16/BF16 values to `Float` once, when the model requests the parameter.
    case widenAtLoad = "widen-at-load"
}
