/// Sanity limits applied while reading a safetensors header from untrusted bytes.
///
/// The defaults follow the reference implementation's header cap of 100,000,000 bytes
/// (https://github.com/huggingface/safetensors, `MAX_HEADER_SIZE`) and add caps on tensor count and
/// rank so a small hostile header cannot make the reader allocate without bound.
public struct SafetensorsLimits: Sendable, Equatable {
    /// Largest accepted JSON header, in bytes.
    public var maximumHeaderByteCount: Int
    /// Largest accepted number of tensors in one file.
    public var maximumTensorCount: Int
    /// Largest accepted number of dimensions of one tensor.
    public var maximumRank: Int

    public init(maximumHeaderByteCount: Int = 100_000_000, maximumTensorCount: Int = 1_000_000, maximumRank: Int = 32) {
        self.maximumHeaderByteCount = maximumHeaderByteCount
        self.maximumTensorCount = maximumTensorCount
        self.maximumRank = maximumRank
    }

    /// The limits used when none are given.
    public static let standard = SafetensorsLimits()
}
