import Foundation
import Synchronization
import Testing
@testable import Service

/// A job that checkpoints every millisecond until `release()` (or its interruption).
final class Blocker: Sendable {
    private let released = Locked(false)
    let started = DispatchSemaphore(value: 0)
    func release() { released.withLock { $0 = true } }

    func job(timeout: Int = 30_000) -> ComputeJob {
        ComputeJob(id: JobStore.makeID(), task: "block", model: nil, timeoutMilliseconds: timeout, threadCount: 1) { [self] context in
            started.signal()
            var step = 0
            while !released.value {
                step += 1
                try context.checkpoint(step: step, total: 0, stage: "block")
                Thread.sleep(forTimeInterval: 0.001)
            }
            return .success(body: [], contentType: "application/json")
        }
    }
}

@Suite("ComputePool: workers, bounded FIFO queue, drain")
struct ComputePoolTests {
    static func quickJob(_ name: String, order: Locked<[String]>? = nil) -> ComputeJob {
        ComputeJob(id: name, task: "quick", model: nil, timeoutMilliseconds: 30_000, threadCount: 1) { _ in
            order?.withLock { $0.append(name) }
            return .success(body: [], contentType: "application/json")
        }
    }

    static func stop(_ pool: ComputePool) {
        let done = DispatchSemaphore(value: 0)
        pool.drain(timeout: 1) { done.signal() }
        _ = done.wait(timeout: .now() + 10)
    }

    @Test func oneWorkerRunsJobsInSubmissionOrder() throws {
        let finished = Locked(0)
        let pool = ComputePool(workers: 1, queueDepth: 8) { _, ran in if ran { finished.withLock { $0 += 1 } } }
        defer { Self.stop(pool) }
        let blocker = Blocker()
        try pool.submit(blocker.job())
        blocker.started.wait()
        let order = Locked<[String]>([])
        let names = (1...6).map { "job-\($0)" }
        for name in names { try pool.submit(Self.quickJob(name, order: order)) }
        #expect(pool.queuedCount == 6)
        #expect(pool.runningCount == 1)
        blocker.release()
        #expect(eventually { finished.value == 7 })
        #expect(order.withLock { $0 } == names)
        #expect(eventually { pool.queuedCount == 0 && pool.runningCount == 0 })
    }

    @Test func fullQueueRefusesWithRetryAfter() throws {
        let pool = ComputePool(workers: 1, queueDepth: 2)
        defer { Self.stop(pool) }
        let blocker = Blocker()
        try pool.submit(blocker.job())
        blocker.started.wait()
        try pool.submit(Self.quickJob("a"))
        try pool.submit(Self.quickJob("b"))
        #expect(pool.estimatedWaitSeconds >= 1)
        do {
            try pool.submit(Self.quickJob("c"))
            Issue.record("third queued job accepted past queue_depth 2")
        } catch {
            guard case .queueFull(let seconds) = error else { Issue.record("\(error)"); return }
            #expect(seconds >= 1)
        }
        blocker.release()
    }

    /// A burst submitted before any worker wakes must still respect workers + queue_depth.
    @Test func burstNeverExceedsWorkersPlusQueueDepth() throws {
        let pool = ComputePool(workers: 1, queueDepth: 1)
        defer { Self.stop(pool) }
        let blockers = (0..<6).map { _ in Blocker() }
        var accepted = 0
        for blocker in blockers {
            if (try? pool.submit(blocker.job())) != nil { accepted += 1 }
        }
        #expect(accepted == 2)
        for blocker in blockers { blocker.release() }
        #expect(eventually { pool.queuedCount == 0 && pool.runningCount == 0 })
    }

    /// A queued job cancelled by its client no longer holds a queue slot or counts as queued.
    @Test func cancelledQueuedJobFreesItsSlot() throws {
        let pool = ComputePool(workers: 1, queueDepth: 1)
        defer { Self.stop(pool) }
        let blocker = Blocker()
        try pool.submit(blocker.job())
        blocker.started.wait()
        let queued = Self.quickJob("queued")
        try pool.submit(queued)
        #expect(pool.queuedCount == 1)
        queued.interrupt(.cancelled)
        #expect(pool.queuedCount == 0)
        try pool.submit(Self.quickJob("replacement"))
        #expect(pool.queuedCount == 1)
        blocker.release()
        #expect(eventually { pool.queuedCount == 0 && pool.runningCount == 0 })
    }

    @Test func twoWorkersRunTwoJobsAtOnce() throws {
        let pool = ComputePool(workers: 2, queueDepth: 0)
        defer { Self.stop(pool) }
        let first = Blocker(), second = Blocker()
        try pool.submit(first.job())
        try pool.submit(second.job())
        first.started.wait()
        second.started.wait()
        #expect(pool.runningCount == 2)
        #expect(throws: ComputePool.SubmissionError.self) { try pool.submit(Self.quickJob("third")) }
        first.release()
        second.release()
        #expect(eventually { pool.runningCount == 0 })
    }

    @Test func drainFailsQueuedJobsLetsRunningOnesFinishAndRefusesNewOnes() throws {
        let pool = ComputePool(workers: 1, queueDepth: 4)
        let blocker = Blocker()
        let running = blocker.job()
        try pool.submit(running)
        blocker.started.wait()
        let queued = Self.quickJob("queued")
        try pool.submit(queued)
        let drained = DispatchSemaphore(value: 0)
        pool.drain(timeout: 10) { drained.signal() }
        #expect(queued.state == .cancelled)
        if case .failure(let problem)? = queued.outcome { #expect(problem.code == "shutting_down") }
        #expect(throws: ComputePool.SubmissionError.shuttingDown) { try pool.submit(Self.quickJob("late")) }
        #expect(running.state == .running)
        blocker.release()
        #expect(drained.wait(timeout: .now() + 5) == .success)
        #expect(running.state == .succeeded)
        #expect(pool.runningCount == 0)
    }

    /// Metrics hear of every job exactly once, including those that ended while queued.
    @Test func everyQueuedJobIsReportedOnceWhetherItRanOrNot() throws {
        let reports = Locked<[String]>([])
        let pool = ComputePool(workers: 1, queueDepth: 4) { job, ran in
            reports.withLock { $0.append("\(job.id) \(ran ? "ran" : "never ran") \(job.state.rawValue)") }
        }
        let blocker = Blocker()
        let running = blocker.job()
        try pool.submit(running)
        blocker.started.wait()
        let cancelled = Self.quickJob("cancelled")
        try pool.submit(cancelled)
        cancelled.interrupt(.cancelled)
        try pool.submit(Self.quickJob("drained"))
        #expect(reports.value == ["cancelled never ran cancelled"])
        let drained = DispatchSemaphore(value: 0)
        pool.drain(timeout: 10) { drained.signal() }
        blocker.release()
        #expect(drained.wait(timeout: .now() + 5) == .success)
        #expect(eventually { reports.value.count == 3 })
        #expect(reports.value == ["cancelled never ran cancelled", "drained never ran cancelled", "\(running.id) ran succeeded"])
    }

    /// A worker that pops a cancelled job reports it at once, not when the next job arrives.
    @Test func cancelledJobPoppedByAnIdleWorkerIsReportedAtOnce() throws {
        let reports = Locked<[String]>([])
        let pool = ComputePool(workers: 1, queueDepth: 2) { job, ran in
            reports.withLock { $0.append("\(job.id) \(ran)") }
        }
        defer { Self.stop(pool) }
        let blocker = Blocker()
        let running = blocker.job()
        try pool.submit(running)
        blocker.started.wait()
        let cancelled = Self.quickJob("cancelled")
        try pool.submit(cancelled)
        cancelled.interrupt(.cancelled)
        blocker.release()
        #expect(eventually { reports.value.count == 2 })
        #expect(reports.value == ["\(running.id) true", "cancelled false"])
    }

    @Test func drainInterruptsJobsStillRunningAtTheTimeout() throws {
        let pool = ComputePool(workers: 1, queueDepth: 1)
        let blocker = Blocker()
        let running = blocker.job()
        try pool.submit(running)
        blocker.started.wait()
        let drained = DispatchSemaphore(value: 0)
        let started = Date()
        pool.drain(timeout: 0.2) { drained.signal() }
        #expect(drained.wait(timeout: .now() + 5) == .success)
        #expect(Date().timeIntervalSince(started) >= 0.2)
        #expect(running.state == .cancelled)
        if case .failure(let problem)? = running.outcome { #expect(problem.code == "shutting_down") }
    }
}
