import Foundation
import HTTP
import Synchronization

/// One unit of work for the compute pool: a task name, a deadline, the work closure,
/// and its observable state (queued → running → succeeded | failed | cancelled).
///
/// Thread-safe: the HTTP side reads state and cancels; a worker thread runs it.
public final class ComputeJob: Sendable, JobContext {
    public enum State: String, Sendable, Codable {
        case queued, running, succeeded, failed, cancelled

        public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    /// What a finished job produced: a JSON body for success, a problem for failure.
    public enum Outcome: Sendable {
        case success(body: [UInt8], contentType: String)
        case failure(ProblemDetails)
    }

    /// Events delivered to observers (SSE streams, synchronous waiters).
    public enum Event: Sendable {
        case started
        case progress(JobProgress)
        /// A piece of the result published before the job ends (a story's frame, say):
        /// an SSE event name and its JSON data. Never coalesced or dropped.
        case partial(event: String, json: [UInt8])
        case finished(State, Outcome)
    }

    public typealias Work = @Sendable (ComputeJob) throws -> Outcome

    private struct Mutable {
        var state = State.queued
        var progress: JobProgress?
        var outcome: Outcome?
        var interruption: JobInterruption?
        var startedAt: Date?
        var finishedAt: Date?
        var observers: [Int: @Sendable (Event) -> Void] = [:]
        var nextObserverID = 0
    }

    public let id: String
    public let task: String
    public let model: String?
    public let createdAt = Date()
    public let deadline: DispatchTime
    public let threadCount: Int
    private let work: Work
    private let mutable = Mutex(Mutable())

    public init(id: String, task: String, model: String?, timeoutMilliseconds: Int, threadCount: Int, work: @escaping Work) {
        self.id = id
        self.task = task
        self.model = model
        self.deadline = .now() + .milliseconds(timeoutMilliseconds)
        self.threadCount = threadCount
        self.work = work
    }

    public var state: State { mutable.withLock { $0.state } }
    public var progress: JobProgress? { mutable.withLock { $0.progress } }
    public var outcome: Outcome? { mutable.withLock { $0.outcome } }
    public var startedAt: Date? { mutable.withLock { $0.startedAt } }
    public var finishedAt: Date? { mutable.withLock { $0.finishedAt } }

    /// Seconds between start and finish, once finished.
    public var runDuration: Double? {
        mutable.withLock { state in
            guard let start = state.startedAt, let end = state.finishedAt else { return nil }
            return end.timeIntervalSince(start)
        }
    }

    // MARK: JobContext

    public func checkpoint(step: Int, total: Int, stage: String) throws(JobInterruption) {
        let (interruption, observers) = mutable.withLock { state -> (JobInterruption?, [@Sendable (Event) -> Void]) in
            if let interruption = state.interruption { return (interruption, []) }
            state.progress = JobProgress(step: step, total: total, stage: stage)
            return (nil, Array(state.observers.values))
        }
        if let interruption { throw interruption }
        if DispatchTime.now() > deadline {
            interrupt(.deadlineExceeded)
            throw .deadlineExceeded
        }
        let event = Event.progress(JobProgress(step: step, total: total, stage: stage))
        for observer in observers { observer(event) }
    }

    /// Sends a piece of the result to observers now (streaming clients get it as an SSE
    /// event named `event`); the final outcome still carries the whole result.
    public func publish(event: String, json: [UInt8]) {
        let observers = mutable.withLock { state -> [@Sendable (Event) -> Void] in
            state.state.isTerminal ? [] : Array(state.observers.values)
        }
        for observer in observers { observer(.partial(event: event, json: json)) }
    }

    // MARK: Control

    /// Asks the job to stop: a queued job finishes at once; a running one at its next checkpoint.
    /// Returns false when the job had already finished.
    @discardableResult
    public func interrupt(_ reason: JobInterruption) -> Bool {
        let wasQueued = mutable.withLock { state -> Bool? in
            guard !state.state.isTerminal, state.interruption == nil else { return nil }
            state.interruption = reason
            return state.state == .queued
        }
        guard let wasQueued else { return false }
        if wasQueued { finish(Self.finalState(for: reason), Self.outcome(for: reason, job: self)) }
        return true
    }

    /// Registers `observer`; it receives every later event. Returns a token for `removeObserver`.
    /// A job that already finished delivers its `finished` event at once.
    @discardableResult
    public func addObserver(_ observer: @escaping @Sendable (Event) -> Void) -> Int {
        let (token, finished) = mutable.withLock { state -> (Int, Event?) in
            state.nextObserverID += 1
            if state.state.isTerminal, let outcome = state.outcome {
                return (state.nextObserverID, .finished(state.state, outcome))
            }
            state.observers[state.nextObserverID] = observer
            return (state.nextObserverID, nil)
        }
        if let finished { observer(finished) }
        return token
    }

    public func removeObserver(_ token: Int) {
        mutable.withLock { _ = $0.observers.removeValue(forKey: token) }
    }

    // MARK: Running (called by the pool's worker)

    func run() {
        let proceed = mutable.withLock { state -> Bool in
            guard state.state == .queued, state.interruption == nil else { return false }
            state.state = .running
            state.startedAt = Date()
            return true
        }
        guard proceed else { return }
        if DispatchTime.now() > deadline {
            mutable.withLock { $0.interruption = .deadlineExceeded }
            return finish(.failed, Self.outcome(for: .deadlineExceeded, job: self))
        }
        notify(.started)
        do {
            let outcome = try work(self)
            if case .failure = outcome { finish(.failed, outcome) } else { finish(.succeeded, outcome) }
        } catch let interruption as JobInterruption {
            finish(Self.finalState(for: interruption), Self.outcome(for: interruption, job: self))
        } catch let problem as ProblemDetails {
            finish(.failed, .failure(problem))
        } catch {
            finish(.failed, .failure(ProblemDetails(status: .internalServerError, detail: "\(task) failed: \(error)", code: "job_failed")))
        }
    }

    func finish(_ final: State, _ outcome: Outcome) {
        let observers = mutable.withLock { state -> [@Sendable (Event) -> Void]? in
            guard !state.state.isTerminal else { return nil }
            state.state = final
            state.outcome = outcome
            state.finishedAt = Date()
            if state.startedAt == nil { state.startedAt = state.finishedAt }
            defer { state.observers.removeAll() }
            return Array(state.observers.values)
        }
        guard let observers else { return }
        for observer in observers { observer(.finished(final, outcome)) }
    }

    private func notify(_ event: Event) {
        let observers = mutable.withLock { Array($0.observers.values) }
        for observer in observers { observer(event) }
    }

    /// A missed deadline is a failure; a cancellation or shutdown is a cancellation.
    static func finalState(for interruption: JobInterruption) -> State {
        interruption == .deadlineExceeded ? .failed : .cancelled
    }

    static func outcome(for interruption: JobInterruption, job: ComputeJob) -> Outcome {
        switch interruption {
        case .cancelled:
            return .failure(ProblemDetails(status: .conflict, detail: "job \(job.id) was cancelled", code: "job_cancelled"))
        case .deadlineExceeded:
            return .failure(ProblemDetails(status: .gatewayTimeout, detail: "job \(job.id) passed its deadline", code: "deadline_exceeded"))
        case .shuttingDown:
            return .failure(ProblemDetails(status: .serviceUnavailable, detail: "the server is shutting down", code: "shutting_down"))
        }
    }
}
