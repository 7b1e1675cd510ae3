import Foundation
import HTTP

/// Turns a validated request into a compute job and answers it, the same way for every
/// task: synchronously (hold the connection, cancel on disconnect, 504 at the deadline)
/// or asynchronously (`Prefer: respond-async` or `"async": true` → 202 + `Location`).
public struct JobSubmitter: Sendable {
    let pool: ComputePool
    let store: JobStore
    let compute: ServiceConfiguration.ComputeSettings

    /// Options every job request body may carry next to its task fields.
    public struct Options: Decodable, Sendable {
        public var async: Bool?
        public var timeoutMilliseconds: Int?
        /// Answer with Server-Sent Events (progress, then the result) on this connection.
        public var stream: Bool?

        enum CodingKeys: String, CodingKey {
            case async, stream
            case timeoutMilliseconds = "timeout_ms"
        }
    }

    /// Submits `work` for `task` and answers `context` when appropriate.
    ///
    /// `whenFinished` runs exactly once when the request is over for the job, however it
    /// ended: refused, cancelled while queued, failed or succeeded. Routes release what
    /// they reserved for the job there (a batching ticket, say).
    public func submit(
        _ context: RequestContext, task: String, model: String?, options: Options,
        work: @escaping ComputeJob.Work, whenFinished: (@Sendable () -> Void)? = nil
    ) {
        let timeout: Int
        do {
            timeout = try deadline(context.request, options: options)
        } catch {
            whenFinished?()
            return context.fail(ProblemDetails(for: error))
        }
        let job = ComputeJob(id: JobStore.makeID(), task: task, model: model, timeoutMilliseconds: timeout,
                             threadCount: compute.threadsPerJob, work: work)
        if let whenFinished {
            _ = job.addObserver { event in
                if case .finished = event { whenFinished() }
            }
        }
        let wantsAsync = options.async == true
            || context.request.headers.tokens(for: "Prefer").contains("respond-async")
        do {
            try pool.submit(job)
        } catch {
            job.finish(.cancelled, .failure(ProblemDetails(for: error)))
            return context.fail(ProblemDetails(for: error))
        }
        // Only accepted jobs are stored: a refused one has no id the client could ask about,
        // and storing it would grow the store by every 503 of an overload for a whole TTL.
        store.insert(job)
        context.logger.info("job queued", metadata: ["job_id": "\(job.id)", "task": "\(task)", "async": "\(wantsAsync)"])
        if wantsAsync {
            return context.send(.json(JobAccepted(job: job, queuePosition: pool.queuedCount), status: .accepted,
                                      headers: ["Location": "/v1/jobs/\(job.id)"]))
        }
        let wantsStream = options.stream == true
            || (context.request.headers["Accept"]?.lowercased().contains("text/event-stream") ?? false)
        if wantsStream {
            context.responder.addResponseHeader("X-Job-ID", job.id)
            context.responder.onCancel { job.interrupt(.cancelled) }
            return JobEventStream.stream(job, to: context)
        }
        answerWhenFinished(job, context: context)
    }

    private func answerWhenFinished(_ job: ComputeJob, context: RequestContext) {
        context.responder.addResponseHeader("X-Job-ID", job.id)
        context.responder.onCancel {
            if job.interrupt(.cancelled) {
                context.logger.info("client disconnected; job cancelled", metadata: ["job_id": "\(job.id)"])
            }
        }
        // Answer 504 at the deadline even if the job is inside a long step; the job itself
        // stops at its next checkpoint. Cancelled when the job finishes first.
        let deadlineAnswer = CancellableWork {
            guard !job.state.isTerminal else { return }
            job.interrupt(.deadlineExceeded)
            context.fail(ProblemDetails(status: .gatewayTimeout, detail: "job \(job.id) passed its deadline", code: "deadline_exceeded"))
        }
        DispatchQueue.global().asyncAfter(deadline: job.deadline, execute: deadlineAnswer.item)
        job.addObserver { event in
            guard case .finished(_, let outcome) = event else { return }
            deadlineAnswer.item.cancel()
            switch outcome {
            case .success(let body, let contentType):
                context.send(HTTPResponse(status: .ok, headers: ["Content-Type": contentType], body: body))
            case .failure(let problem):
                context.fail(problem)
            }
        }
    }

    /// Deadlines a request may ask for, in milliseconds (the API's bound, as in openapi.yaml).
    public static let requestableTimeouts = 1...3_600_000

    /// The job's timeout: body `timeout_ms`, else `X-Request-Timeout` (milliseconds),
    /// else the configured default — clamped to the configured maximum, so a request can
    /// shorten its deadline but never outlast what the operator allows.
    private func deadline(_ request: HTTPRequest, options: Options) throws(RequestBodyError) -> Int {
        var requested: Int?
        if let header = request.headers["X-Request-Timeout"] {
            guard let value = Int(header), Self.requestableTimeouts.contains(value) else {
                throw .invalidField("X-Request-Timeout", reason: "must be milliseconds in \(Self.requestableTimeouts.lowerBound)...\(Self.requestableTimeouts.upperBound)")
            }
            requested = value
        }
        if let value = options.timeoutMilliseconds {
            try FieldCheck.require(value, in: Self.requestableTimeouts, field: "timeout_ms")
            requested = value
        }
        return min(requested ?? compute.defaultTimeoutMilliseconds, compute.maxTimeoutMilliseconds)
    }
}

/// The 202 body of an asynchronous submission.
struct JobAccepted: Encodable {
    var id: String
    var status: String
    var queuePosition: Int
    var pollURL: String
    var eventsURL: String

    init(job: ComputeJob, queuePosition: Int) {
        id = job.id
        status = job.state.rawValue
        self.queuePosition = queuePosition
        pollURL = "/v1/jobs/\(job.id)"
        eventsURL = "/v1/jobs/\(job.id)/events"
    }

    enum CodingKeys: String, CodingKey {
        case id, status
        case queuePosition = "queue_position"
        case pollURL = "poll_url"
        case eventsURL = "events_url"
    }
}

/// A `DispatchWorkItem` shared with `@Sendable` closures. Work items are thread-safe
/// (cancel from any thread), the type just is not annotated `Sendable`.
private struct CancellableWork: @unchecked Sendable {
    let item: DispatchWorkItem

    init(_ work: @escaping @Sendable () -> Void) {
        item = DispatchWorkItem(block: work)
    }
}
