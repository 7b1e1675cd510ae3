import Foundation
import HTTP
import Synchronization

/// A job's life as Server-Sent Events on one response: `queued` or `started` (the job
/// as JSON), `progress` (`{"step","total","stage"}`, coalesced for slow clients), then
/// `completed`, `failed` or `cancelled` with the job as JSON, and the end of the stream.
/// Pieces of the result a task publishes while running (`ComputeJob.publish`, e.g. a
/// story's `frame` events) are sent in order as they come, never coalesced.
/// Used by `GET /v1/jobs/{id}/events` and by task routes asked to stream.
enum JobEventStream {
    static func stream(_ job: ComputeJob, to context: RequestContext) {
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
            case .partial(let name, let json):
                events.send(ServerSentEvent(id: counter.next(), event: name, data: String(decoding: json, as: UTF8.self)))
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

/// Monotonic SSE event ids for one stream.
final class EventCounter: Sendable {
    private let value = Mutex(0)
    func next() -> String { String(value.withLock { $0 += 1; return $0 }) }
}
