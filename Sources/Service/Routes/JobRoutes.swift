import Foundation
import HTTP

/// `GET /v1/jobs/{id}` (state, progress, result), `DELETE /v1/jobs/{id}` (cancel:
/// 200, 404, 409 when already finished, 410 when expired) and
/// `GET /v1/jobs/{id}/events` (Server-Sent Events: `queued`/`started`, `progress`,
/// then `completed`, `failed` or `cancelled`).
struct JobRoutes {
    let service: DiffusionService

    func register(in router: inout Router) {
        service.route(.get, "/v1/jobs/{id}", in: &router) { context in
            guard let job = find(context) else { return }
            context.send(HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: JobSnapshot.json(job)))
        }
        service.route(.delete, "/v1/jobs/{id}", in: &router) { context in
            guard let job = find(context) else { return }
            guard job.interrupt(.cancelled) else {
                return context.fail(ProblemDetails(status: .conflict, detail: "job \(job.id) already \(job.state.rawValue)",
                                                   code: "job_finished", field: "id"))
            }
            context.logger.info("job cancel requested", metadata: ["job_id": "\(job.id)"])
            context.send(HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: JobSnapshot.json(job)))
        }
        service.route(.get, "/v1/jobs/{id}/events", in: &router) { context in
            guard let job = find(context) else { return }
            stream(job, to: context)
        }
    }

    private func find(_ context: RequestContext) -> ComputeJob? {
        let id = context.request.pathParameters["id"] ?? ""
        switch service.jobs.lookup(id) {
        case .found(let job): return job
        case .expired:
            context.fail(ProblemDetails(status: .gone, detail: "job \(id) finished and its result expired", code: "job_expired", field: "id"))
        case .unknown:
            context.fail(ProblemDetails(status: .notFound, detail: "no job with id \(id)", code: "unknown_job", field: "id"))
        }
        return nil
    }

    private func stream(_ job: ComputeJob, to context: RequestContext) {
        guard let events = EventStream(responder: context.responder) else { return }
        let counter = EventCounter()
        events.send(ServerSentEvent(id: counter.next(), event: job.state == .queued ? "queued" : "started",
                                    data: String(decoding: JobSnapshot.json(job), as: UTF8.self), retry: 2000))
        // Progress is coalesced: while one progress event is still unwritten (a slow
        // client), newer ones replace each other instead of piling up in the buffer.
        let progress = LatestValueSender<JobProgress> { update, onFlushed in
            let data = (try? JSONEncoder().encode(update)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            events.send(ServerSentEvent(id: counter.next(), event: "progress", data: data), onFlushed: onFlushed)
        }
        let token = job.addObserver { event in
            switch event {
            case .started:
                events.send(ServerSentEvent(id: counter.next(), event: "started", data: "{\"id\":\"\(job.id)\"}"))
            case .progress(let update):
                progress.offer(update)
            case .finished(let state, _):
                let name = state == .succeeded ? "completed" : state.rawValue
                progress.close {
                    events.send(ServerSentEvent(id: counter.next(), event: name, data: String(decoding: JobSnapshot.json(job), as: UTF8.self)))
                    events.close()
                }
            }
        }
        context.responder.onCancel { job.removeObserver(token) }
    }
}

/// Sends the newest of a stream of values, at most one unflushed at a time: values
/// offered while one is being written replace each other, and the latest is sent when
/// the write completes. `close(then:)` drops whatever is pending and runs a last action.
/// Every send happens under the lock, so nothing can be written after the last action.
final class LatestValueSender<Value: Sendable>: Sendable {
    private struct State {
        var writing = false
        var pending: Value?
        var closed = false
    }

    private let state = Mutex(State())
    private let send: @Sendable (Value, _ onFlushed: @escaping @Sendable (Bool) -> Void) -> Void

    init(send: @escaping @Sendable (Value, _ onFlushed: @escaping @Sendable (Bool) -> Void) -> Void) {
        self.send = send
    }

    func offer(_ value: Value) {
        state.withLock { state in
            guard !state.closed else { return }
            if state.writing {
                state.pending = value
            } else {
                state.writing = true
                send(value, flushed)
            }
        }
    }

    func close(then lastAction: () -> Void) {
        state.withLock { state in
            state.closed = true
            state.pending = nil
            lastAction()
        }
    }

    /// Called when a write completes (possibly synchronously, from inside `send`).
    private var flushed: @Sendable (Bool) -> Void {
        { [self] _ in
            // A completion may arrive on the thread that holds the lock (when the stream
            // is already gone); hop off so the lock is never taken twice.
            DispatchQueue.global().async { [self] in
                state.withLock { state in
                    guard !state.closed, let pending = state.pending else {
                        state.writing = false
                        return
                    }
                    state.pending = nil
                    send(pending, flushed)
                }
            }
        }
    }
}

/// Monotonic SSE event ids for one stream.
final class EventCounter: Sendable {
    private let value = Mutex(0)
    func next() -> String { String(value.withLock { $0 += 1; return $0 }) }
}

import Synchronization

/// The JSON view of a job: id, task, model, state, progress, timestamps, and the
/// result (as the task's JSON) or the error (a problem document).
enum JobSnapshot {
    static func json(_ job: ComputeJob) -> [UInt8] {
        var object: [String: Any] = ["id": job.id, "task": job.task, "state": job.state.rawValue,
                                     "created": iso8601(job.createdAt)]
        if let model = job.model { object["model"] = model }
        if let started = job.startedAt { object["started"] = iso8601(started) }
        if let finished = job.finishedAt { object["finished"] = iso8601(finished) }
        if let progress = job.progress {
            object["progress"] = ["step": progress.step, "total": progress.total, "stage": progress.stage]
        }
        switch job.outcome {
        case .success(let body, _)?:
            object["result"] = (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) ?? NSNull()
        case .failure(let problem)?:
            if let data = try? JSONEncoder().encode(problem) {
                object["error"] = try? JSONSerialization.jsonObject(with: data)
            }
        case nil:
            break
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }

    private static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
