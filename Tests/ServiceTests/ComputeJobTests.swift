import Foundation
import Synchronization
import Testing
@testable import HTTP
@testable import Service

/// Collects a job's events in order.
final class EventLog: Sendable {
    private let events = Locked<[String]>([])
    func record(_ event: ComputeJob.Event) {
        let text: String
        switch event {
        case .started: text = "started"
        case .progress(let progress): text = "progress \(progress.step)/\(progress.total) \(progress.stage)"
        case .partial(let name, let json): text = "\(name) \(String(decoding: json, as: UTF8.self))"
        case .finished(let state, _): text = "finished \(state.rawValue)"
        }
        events.withLock { $0.append(text) }
    }
    var all: [String] { events.withLock { $0 } }
}

@Suite("ComputeJob: states, checkpoints, deadlines, observers")
struct ComputeJobTests {
    static func job(timeout: Int = 10_000, work: @escaping ComputeJob.Work) -> ComputeJob {
        ComputeJob(id: JobStore.makeID(), task: "test", model: nil, timeoutMilliseconds: timeout, threadCount: 1, work: work)
    }

    static let ok: ComputeJob.Outcome = .success(body: Array("{}".utf8), contentType: "application/json")

    @Test func runsThroughCheckpointsToSuccess() throws {
        let job = Self.job { context in
            for step in 1...3 { try context.checkpoint(step: step, total: 3, stage: "denoise") }
            return Self.ok
        }
        let log = EventLog()
        job.addObserver(log.record)
        #expect(job.state == .queued)
        job.run()
        #expect(job.state == .succeeded)
        #expect(job.progress == JobProgress(step: 3, total: 3, stage: "denoise"))
        #expect(log.all == ["started", "progress 1/3 denoise", "progress 2/3 denoise", "progress 3/3 denoise", "finished succeeded"])
        #expect(job.startedAt != nil && job.finishedAt != nil)
        #expect((job.runDuration ?? -1) >= 0)
        // A late observer gets the finished event at once.
        let late = EventLog()
        job.addObserver(late.record)
        #expect(late.all == ["finished succeeded"])
    }

    /// Published pieces of a result reach observers in order, between progress events;
    /// nothing is published after the job finished.
    @Test func publishedPiecesArriveInOrder() throws {
        let job = Self.job { context in
            try context.checkpoint(step: 1, total: 2, stage: "frame")
            context.publish(event: "frame", json: Array("{\"index\":0}".utf8))
            try context.checkpoint(step: 2, total: 2, stage: "frame")
            context.publish(event: "frame", json: Array("{\"index\":1}".utf8))
            return Self.ok
        }
        let log = EventLog()
        job.addObserver(log.record)
        job.run()
        job.publish(event: "frame", json: Array("late".utf8))
        #expect(log.all == ["started", "progress 1/2 frame", "frame {\"index\":0}", "progress 2/2 frame",
                            "frame {\"index\":1}", "finished succeeded"])
    }

    @Test func deadlineStopsAtTheNextCheckpoint() throws {
        let steps = Locked(0)
        let job = Self.job(timeout: 50) { context in
            for step in 1...10_000 {
                try context.checkpoint(step: step, total: 10_000, stage: "loop")
                steps.withLock { $0 += 1 }
                Thread.sleep(forTimeInterval: 0.001)
            }
            return Self.ok
        }
        job.run()
        #expect(job.state == .failed)
        #expect(steps.value < 10_000)
        guard case .failure(let problem)? = job.outcome else { Issue.record("no failure outcome"); return }
        #expect(problem.status == 504)
        #expect(problem.code == "deadline_exceeded")
    }

    @Test func jobPastItsDeadlineBeforeStartingNeverRuns() throws {
        let ran = Locked(false)
        let job = Self.job(timeout: 1) { _ in ran.withLock { $0 = true }; return Self.ok }
        Thread.sleep(forTimeInterval: 0.01)
        job.run()
        #expect(job.state == .failed)
        #expect(!ran.value)
    }

    @Test func interruptingAQueuedJobFinishesItAtOnce() {
        let job = Self.job { _ in Self.ok }
        let log = EventLog()
        job.addObserver(log.record)
        #expect(job.interrupt(.cancelled))
        #expect(job.state == .cancelled)
        #expect(log.all == ["finished cancelled"])
        guard case .failure(let problem)? = job.outcome else { Issue.record("no outcome"); return }
        #expect(problem.status == 409)
        #expect(problem.code == "job_cancelled")
        // Already finished: a second interrupt reports false, and running it does nothing.
        #expect(!job.interrupt(.cancelled))
        job.run()
        #expect(job.state == .cancelled)
    }

    @Test func shutdownInterruptionIsA503() {
        let job = Self.job { _ in Self.ok }
        job.interrupt(.shuttingDown)
        #expect(job.state == .cancelled)
        guard case .failure(let problem)? = job.outcome else { Issue.record("no outcome"); return }
        #expect(problem.status == 503)
        #expect(problem.code == "shutting_down")
    }

    @Test func interruptingARunningJobStopsItAtTheNextCheckpoint() throws {
        let started = DispatchSemaphore(value: 0)
        let steps = Locked(0)
        let job = Self.job { context in
            started.signal()
            for step in 1...100_000 {
                try context.checkpoint(step: step, total: 100_000, stage: "loop")
                steps.withLock { $0 += 1 }
                Thread.sleep(forTimeInterval: 0.001)
            }
            return Self.ok
        }
        let thread = Thread { job.run() }
        thread.start()
        started.wait()
        #expect(job.interrupt(.cancelled))
        #expect(eventually(timeout: 5) { job.state.isTerminal })
        #expect(job.state == .cancelled)
        #expect(steps.value < 100)
    }

    @Test func errorsThrownByWorkBecomeFailures() {
        let problemJob = Self.job { _ in throw ProblemDetails(status: .unprocessableContent, detail: "bad prompt", code: "bad_prompt") }
        problemJob.run()
        #expect(problemJob.state == .failed)
        if case .failure(let problem)? = problemJob.outcome { #expect(problem.code == "bad_prompt") } else { Issue.record("no outcome") }

        struct Boom: Error {}
        let errorJob = Self.job { _ in throw Boom() }
        errorJob.run()
        #expect(errorJob.state == .failed)
        if case .failure(let problem)? = errorJob.outcome {
            #expect(problem.status == 500)
            #expect(problem.code == "job_failed")
        } else { Issue.record("no outcome") }

        let failureOutcome = Self.job { _ in .failure(ProblemDetails(status: .badRequest, detail: "no")) }
        failureOutcome.run()
        #expect(failureOutcome.state == .failed)
    }

    @Test func removedObserversHearNothing() {
        let job = Self.job { context in
            try context.checkpoint(step: 1, total: 1, stage: "s")
            return Self.ok
        }
        let log = EventLog()
        let token = job.addObserver(log.record)
        job.removeObserver(token)
        job.run()
        #expect(log.all.isEmpty)
    }
}
