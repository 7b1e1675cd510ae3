// Float32 storage and the buffer pool that recycles it.
//
// A denoising loop allocates the same activation sizes every step. Buffers released by dead tensors go
// back to `BufferPool.shared` (keyed by size class) and the next step takes them again, so the hot loop
// does not page-fault fresh memory from the kernel on every layer (see perf_baseline.md §6.2).

import Foundation

/// Reference-counted, 64-byte-aligned Float32 memory. Returns its buffer to the pool on deinit.
public final class TensorStorage: @unchecked Sendable {
    /// Start of the memory (`capacity` floats, of which the first `count` belong to this storage).
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats in use.
    public let count: Int
    /// Size-class capacity in floats (≥ `count`).
    let capacity: Int
    private let pool: BufferPool?

    /// Storage of `count` uninitialised floats taken from `pool` (or the system allocator when `nil`).
    init(uninitializedCount count: Int, pool: BufferPool? = .shared) {
        self.count = count
        if let pool {
            (pointer, capacity) = pool.take(count)
        } else {
            capacity = max(count, 1)
            pointer = BufferPool.allocate(capacity)
        }
        self.pool = pool
    }

    deinit {
        if let pool {
            pool.give(pointer, capacity: capacity)
        } else {
            free(pointer)
        }
    }
}

/// A pool of float buffers keyed by size class, bounded in total bytes.
public final class BufferPool: @unchecked Sendable {
    /// The pool every op allocates from, bounded by ``defaultMaximumBytes`` (the service sets its own bound from
    /// `compute.buffer_pool_mib`).
    public static let shared = BufferPool(maximumBytes: defaultMaximumBytes)

    /// 768 MiB: above the SD-1.5 UNet's working set at batch 2 (no allocation misses the pool after the first call
    /// from 640 MiB up; 13 per call at 512), below what a one-pass decoder leaves parked at each resolution
    /// with a larger bound (SD-1.5 VAE decode to 512²: peak RSS 1,612 MiB at 640–768, 1,738 at 1–4 GiB;
    /// diffusers 1,630–1,651). See BENCHMARKS.md, "Buffer-pool bound".
    public static let defaultMaximumBytes = 768 << 20

    /// Counters for tests and diagnostics.
    public struct Statistics: Sendable, Equatable {
        /// Allocations served from the pool.
        public var hits = 0
        /// Allocations that went to the system allocator.
        public var misses = 0
        /// Bytes currently parked in the pool.
        public var pooledBytes = 0
    }

    private struct State {
        var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
        var statistics = Statistics()
        var maximumBytes: Int
    }

    private let state: LockedValue<State>

    /// A pool that parks at most `maximumBytes` of free buffers.
    public init(maximumBytes: Int) {
        state = LockedValue(State(maximumBytes: maximumBytes))
    }

    /// Current counters.
    public var statistics: Statistics { state.value.statistics }

    /// Changes the bound on parked bytes (buffers above it are freed on release).
    public func setMaximumBytes(_ bytes: Int) {
        state.withLock { $0.maximumBytes = bytes }
    }

    /// Frees every parked buffer.
    public func drain() {
        let buffers = state.withLock { state -> [UnsafeMutablePointer<Float>] in
            let all = state.free.values.flatMap { $0 }
            state.free.removeAll()
            state.statistics.pooledBytes = 0
            return all
        }
        for buffer in buffers { free(buffer) }
    }

    /// The size class of a request: ≥ 256 floats, then 4 steps per power of two (≤ 25 % slack).
    static func sizeClass(_ count: Int) -> Int {
        if count <= 256 { return 256 }
        let high = Int.bitWidth - 1 - (count - 1).leadingZeroBitCount  // floor(log2(count - 1))
        let step = 1 << max(0, high - 2)
        return (count + step - 1) / step * step
    }

    static func allocate(_ capacity: Int) -> UnsafeMutablePointer<Float> {
        var raw: UnsafeMutableRawPointer?
        let status = posix_memalign(&raw, 64, max(capacity, 1) * MemoryLayout<Float>.stride)
        // Like Swift's own allocations (Array, String), running out of memory traps: there
        // is no meaningful recovery inside an op. Request sizes are bounded before any op
        // runs (pixel caps, validated shapes), so user input cannot ask for this.
        guard status == 0, let raw else { fatalError("BufferPool: out of memory for \(capacity) floats") }
        return raw.bindMemory(to: Float.self, capacity: capacity)
    }

    func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
        let capacity = Self.sizeClass(count)
        let reused = state.withLock { state -> UnsafeMutablePointer<Float>? in
            if var list = state.free[capacity], let buffer = list.popLast() {
                state.free[capacity] = list
                state.statistics.hits += 1
                state.statistics.pooledBytes -= capacity * 4
                return buffer
            }
            state.statistics.misses += 1
            return nil
        }
        return (reused ?? Self.allocate(capacity), capacity)
    }

    func give(_ buffer: UnsafeMutablePointer<Float>, capacity: Int) {
        let kept = state.withLock { state -> Bool in
            guard state.statistics.pooledBytes + capacity * 4 <= state.maximumBytes else { return false }
            state.free[capacity, default: []].append(buffer)
            state.statistics.pooledBytes += capacity * 4
            return true
        }
        if !kept { free(buffer) }
    }
}
