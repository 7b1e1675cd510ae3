import Testing
@testable import Tensor

@Suite struct ComputeThreadsTests {
    @Test func parallelLoopVisitsEveryIndexOnce() {
        let count = 10_007
        let hits = UnsafeMutablePointer<Int32>.allocate(capacity: count)
        hits.initialize(repeating: 0, count: count)
        defer { hits.deallocate() }
        ParallelLoop.forEachChunk(count, minimumPerChunk: 7) { range in
            for index in range { hits[index] += 1 }
        }
        #expect((0..<count).allSatisfy { hits[$0] == 1 })
        ParallelLoop.forEach(0) { _ in Issue.record("no iterations expected") }
    }
}
