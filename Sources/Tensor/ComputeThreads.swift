// The single parallelism knob of the numeric core.
//
// One thread count drives both OpenBLAS (`openblas_set_num_threads`) and this module's own
// `DispatchQueue.concurrentPerform` loops. Ops never run a parallel loop around a BLAS call that is
// itself multithreaded: either BLAS gets the threads (big GEMMs), or our loop does and BLAS runs one
// thread per call (``ComputeThreads/withSingleThreadedBLAS(_:)``), so the cores are never oversubscribed.

import Dispatch
import Foundation

/// The thread count shared by OpenBLAS and the module's parallel loops.
public enum ComputeThreads {
    private static let state = LockedValue<Int>(max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// Threads used by ops (both BLAS and element-wise loops).
    public static var count: Int { state.value }

    /// Sets the thread count for OpenBLAS and the module's loops (clamped to ≥ 1).
    public static func setCount(_ newCount: Int) {
        let clamped = max(1, newCount)
        state.value = clamped
        BLASRuntime.setBLASThreads(clamped)
    }

    /// Runs `body` with OpenBLAS restricted to one thread, for regions where our own loop owns the cores.
    ///
    /// Assumes one op at a time per process uses the compute pool (the service's compute pool guarantees this
    /// with its default single worker). OpenBLAS's thread count is process-wide, and OpenBLAS 0.3.21's sgemm
    /// rounds differently on one thread and on several (a 64×1024×576 product differs by up to 6e-5), so an op
    /// running elsewhere in the process during such a region can round differently: outputs are bit-reproducible
    /// for a fixed thread count and one computation at a time (the story fixture's frames at 1 and 2 threads
    /// differ in one value, by 1/255).
    public static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        let threads = count
        if threads > 1 { BLASRuntime.setBLASThreads(1) }
        defer { if threads > 1 { BLASRuntime.setBLASThreads(threads) } }
        return try body()
    }
}

/// Splits index ranges over ``ComputeThreads/count`` workers with `DispatchQueue.concurrentPerform`.
public enum ParallelLoop {
    /// Calls `body` on disjoint sub-ranges covering `0..<count`, in parallel when worthwhile.
    ///
    /// - Parameters:
    ///   - count: number of items.
    ///   - minimumPerChunk: below this many items per worker, fewer workers are used (1 for tiny loops).
    public static func forEachChunk(_ count: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = min(ComputeThreads.count, max(1, count / max(1, minimumPerChunk)))
        if workers <= 1 {
            body(0..<count)
            return
        }
        // More chunks than workers balances uneven items a little, without much scheduling overhead.
        let chunks = min(count, workers * 4)
        // The chunks are disjoint and `body` outlives the loop; callers write only their own chunk.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = count * chunk / chunks
                let end = count * (chunk + 1) / chunks
                if start < end { shared.value(start..<end) }
            }
        }
    }

    /// Calls `body(i)` for every `i` in `0..<count`, spread over the workers.
    public static func forEach(_ count: Int, minimumPerChunk: Int = 1, _ body: (Int) -> Void) {
        forEachChunk(count, minimumPerChunk: minimumPerChunk) { range in
            for index in range { body(index) }
        }
    }
}

/// A value behind a lock (the module's only shared mutable state).
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try lock.withLock { try body(&stored) }
    }
}

/// Carries a value into a `@Sendable` closure whose callers guarantee data-race freedom (disjoint writes).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
