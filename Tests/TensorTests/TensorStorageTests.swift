import Testing
@testable import Tensor

@Suite struct TensorStorageTests {
    @Test func poolReusesBuffersAcrossSteps() {
        let pool = BufferPool(maximumBytes: 1 << 24)
        for _ in 0..<10 {
            let storage = TensorStorage(uninitializedCount: 100_000, pool: pool)
            storage.pointer[0] = 1
        }
        #expect(pool.statistics.misses == 1)
        #expect(pool.statistics.hits == 9)
        #expect(BufferPool.sizeClass(1000) >= 1000 && BufferPool.sizeClass(1000) <= 1250)
        pool.drain()
        #expect(pool.statistics.pooledBytes == 0)
    }

    @Test func boundedPoolFreesWhatItCannotKeep() {
        let pool = BufferPool(maximumBytes: 1 << 20)
        do {
            let big = TensorStorage(uninitializedCount: 1 << 20, pool: pool)  // 4 MiB > bound
            big.pointer[0] = 1
        }
        #expect(pool.statistics.pooledBytes == 0)
    }
}
