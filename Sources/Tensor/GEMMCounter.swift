// Counts the arithmetic of every `BLAS.sgemm` call, for the GFLOPS figures of `diffusion-cli bench`.
//
// All of the engine's multiply-accumulate work goes through `BLAS.sgemm` — convolutions (im2col + one GEMM per image
// and group; 1×1 convolutions as plain GEMMs), linear layers, matmul/bmm — except attention, whose fused kernel
// records its two products here itself. Counting there measures the work the models actually do, with no
// per-model bookkeeping to keep in sync with the layers.

import Synchronization

/// Counts floating-point operations (2·M·N·K per product, the usual FLOP convention) of `BLAS.sgemm` calls made
/// inside ``counting(_:)``. Outside it the cost is one relaxed atomic load per sgemm call.
///
/// Assumes one counted region at a time per process (benchmarks); calls on other threads during that region are
/// counted too.
public enum GEMMCounter {
    @usableFromInline static let isEnabled = Atomic<Bool>(false)
    @usableFromInline static let operations = Atomic<Int>(0)

    /// Adds one M×N×K product when counting is on.
    @inlinable
    static func record(m: Int, n: Int, k: Int) {
        guard isEnabled.load(ordering: .relaxed) else { return }
        operations.wrappingAdd(2 * m * n * k, ordering: .relaxed)
    }

    /// Runs `body` and returns its result with the floating-point operations of the sgemm calls it made.
    public static func counting<R>(_ body: () throws -> R) rethrows -> (result: R, flops: Int) {
        operations.store(0, ordering: .relaxed)
        isEnabled.store(true, ordering: .sequentiallyConsistent)
        defer { isEnabled.store(false, ordering: .sequentiallyConsistent) }
        let result = try body()
        return (result, operations.load(ordering: .sequentiallyConsistent))
    }
}
