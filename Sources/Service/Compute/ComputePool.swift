import Foundation
import HTTP
import Synchronization

/// The one pool that owns the cores: a fixed set of worker threads taking jobs from a
/// bounded FIFO queue.
///
/// With the default of one worker, one job runs at a time and uses every core through
/// BLAS threads and the tensor engine's parallel loops, so nothing is oversubscribed.
/// A full queue rejects at once (503 with `Retry-After` estimated from recent job
/// durations) rather than letting latency grow without bound. Workers are plain
/// threads, never Dispatch's I/O queues, so HTTP stays responsive while they compute.
public final class ComputePool: Sendable {
    public enum SubmissionError: Error, Equatable, Sendable {
        /// The queue holds `queueDepth` jobs already; retry after the given seconds.
        case queueFull(retryAfterSeconds: Int)
        /// The pool is draining for shutdown.
        case shuttingDown
    }

    private struct State: ~Copyable {
        var queue: [ComputeJob] = []
        var running: [String: ComputeJob] = [:]
        var accepting = true
        var stopped = false
        /// Exponentially weighted mean of recent job run times, in seconds.
        var meanJobSeconds: Double = 1
    }

    public let workerCount: Int
    public let queueCapacity: Int
    private let state = Mutex(State())
    private let wakeUp = NSCondition()
    private let observer: @Sendable (ComputeJob, Bool) -> Void

    /// - Parameter onFinish: called once for every job that entered the queue, after it
    ///   ended (metrics): on the worker thread with `ran` true, or with `ran` false for a
    ///   job that finished while still queued (cancelled, past its deadline, or failed by
    ///   a drain) and so never reached a worker.
    public init(workers: Int, queueDepth: Int, onFinish: @escaping @Sendable (ComputeJob, _ ran: Bool) -> Void = { _, _ in }) {
        self.workerCount = max(1, workers)
        self.queueCapacity = max(0, queueDepth)
        self.observer = onFinish
        for index in 0..<workerCount {
            let thread = Thread { [self] in workerLoop() }
            thread.name = "compute-worker-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Jobs waiting for a worker (not counting queued jobs already cancelled).
    public var queuedCount: Int {
        let (count, dropped) = state.withLock { state in
            let dropped = Self.dropFinished(from: &state.queue)
            return (state.queue.count, dropped)
        }
        for job in dropped { observer(job, false) }
        return count
    }
    /// Jobs running now.
    public var runningCount: Int { state.withLock { $0.running.count } }

    /// Seconds a new job would wait for a worker, estimated from recent durations.
    public var estimatedWaitSeconds: Int {
        state.withLock { state in
            let ahead = Double(state.queue.count + state.running.count) / Double(workerCount)
            return max(1, Int((ahead * state.meanJobSeconds).rounded(.up)))
        }
    }

    /// Queues `job`, or throws when the queue is full or the pool is draining.
    public func submit(_ job: ComputeJob) throws(SubmissionError) {
        let (result, dropped) = state.withLock { state -> (SubmissionError?, [ComputeJob]) in
            guard state.accepting else { return (.shuttingDown, []) }
            // Idle workers take at most one queued job each, so waiting plus running jobs
            // never exceed workers + queue_depth, even in a burst before any worker wakes.
            let dropped = Self.dropFinished(from: &state.queue)
            let idleWorkers = max(0, workerCount - state.running.count)
            if state.queue.count >= queueCapacity + idleWorkers {
                let ahead = Double(state.queue.count + state.running.count) / Double(workerCount)
                return (.queueFull(retryAfterSeconds: max(1, Int((ahead * state.meanJobSeconds).rounded(.up)))), dropped)
            }
            state.queue.append(job)
            return (nil, dropped)
        }
        for finished in dropped { observer(finished, false) }
        if let result { throw result }
        wakeUp.lock()
        wakeUp.signal()
        wakeUp.unlock()
    }

    /// Stops accepting, fails every queued job with `shuttingDown`, waits up to
    /// `timeout` seconds for running jobs, then interrupts them; calls `completion`
    /// when no job runs any more.
    public func drain(timeout: Double, completion: @escaping @Sendable () -> Void) {
        let queued = state.withLock { state -> [ComputeJob] in
            state.accepting = false
            defer { state.queue.removeAll() }
            return state.queue
        }
        for job in queued {
            job.interrupt(.shuttingDown)
            observer(job, false)
        }
        let deadline = Date().addingTimeInterval(timeout)
        Thread.detachNewThread { [self] in
            var interrupted = false
            while runningCount > 0 {
                if !interrupted && Date() >= deadline {
                    for job in state.withLock({ Array($0.running.values) }) { job.interrupt(.shuttingDown) }
                    interrupted = true
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
            state.withLock { $0.stopped = true }
            wakeUp.lock()
            wakeUp.broadcast()
            wakeUp.unlock()
            completion()
        }
    }

    /// Removes jobs that finished while queued (cancelled by DELETE or a disconnect), so
    /// they hold no queue slot and no longer count in the queue-depth gauge.
    /// Returns the removed jobs, for `onFinish` (called outside the lock).
    private static func dropFinished(from queue: inout [ComputeJob]) -> [ComputeJob] {
        let finished = queue.filter { $0.state.isTerminal }
        if !finished.isEmpty { queue.removeAll { $0.state.isTerminal } }
        return finished
    }

    private func workerLoop() {
        while true {
            wakeUp.lock()
            var job: ComputeJob?
            var skipped: [ComputeJob] = []
            var exiting = false
            while true {
                var popped: [ComputeJob] = []
                let (next, stopped) = state.withLock { state -> (ComputeJob?, Bool) in
                    if state.stopped { return (nil, true) }
                    while !state.queue.isEmpty {
                        let candidate = state.queue.removeFirst()
                        if candidate.state == .queued {
                            state.running[candidate.id] = candidate
                            return (candidate, false)
                        }
                        popped.append(candidate)
                    }
                    return (nil, false)
                }
                skipped += popped
                if stopped { exiting = true; break }
                if let next { job = next; break }
                if !skipped.isEmpty {
                    // Report jobs that ended while queued now, not when the next job arrives;
                    // then look at the queue again (a submit may have signalled meanwhile).
                    wakeUp.unlock()
                    for finished in skipped { observer(finished, false) }
                    skipped.removeAll()
                    wakeUp.lock()
                    continue
                }
                wakeUp.wait()
            }
            wakeUp.unlock()
            for finished in skipped { observer(finished, false) }
            if exiting { return }
            guard let job else { continue }
            job.run()
            let seconds = job.runDuration ?? 0
            state.withLock { state in
                state.running[job.id] = nil
                state.meanJobSeconds = 0.7 * state.meanJobSeconds + 0.3 * seconds
            }
            observer(job, true)
        }
    }
}
